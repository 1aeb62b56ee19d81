import CMatrixKernel
import FoundationEssentials

/// One `.safetensors` file, its header checked against the format:
///
///     [8 bytes: N, little-endian u64][N bytes: UTF-8 JSON header][data]
///
/// The header maps each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}`, the
/// offsets counted from the start of the data; `__metadata__` maps strings to strings. The
/// tensors must tile the data exactly (no overlap, no gap, nothing left over), as the reference
/// implementation requires. Values are little-endian, in C order. Only the tensors asked for
/// are converted, so a file may carry tensors of other dtypes that are never read.
public struct SafeTensorsFile: Sendable {
    /// Where one tensor's bytes are.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Offsets from the start of the data, as in the header.
        public let dataOffsets: Range<Int>
    }

    /// The reference implementation's limit on the header.
    public static let maximumHeaderLength = 100_000_000

    /// The file as it is named in messages.
    public let file: String
    public let metadata: [String: String]
    /// Every tensor in the header, by name.
    public let entries: [String: Entry]
    /// The file's bytes, read a tensor at a time (the header is read when the file is opened).
    private let source: ByteSource
    private let dataStart: Int

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    public static func read(path: String, shownAs file: String? = nil) throws -> SafeTensorsFile {
        let file = file ?? path
        return try SafeTensorsFile(source: .file(path, shownAs: file), file: file)
    }

    /// A file's bytes already in memory.
    public init(bytes: Data, file: String) throws {
        try self.init(source: .memory(bytes), file: file)
    }

    private init(source: ByteSource, file: String) throws {
        func fail(_ subject: String?, _ message: String) -> CheckpointError {
            CheckpointError(file: file, subject: subject, message: message)
        }
        self.file = file
        self.source = source
        let size = source.count
        guard size >= 8 else {
            throw fail(nil, "is \(size) bytes, too short for the 8-byte header length that starts a safetensors file")
        }
        var headerLength: UInt64 = 0
        for (i, byte) in try source.bytes(0..<8).enumerated() {
            headerLength |= UInt64(byte) << (8 * UInt64(i))
        }
        guard headerLength <= UInt64(Self.maximumHeaderLength) else {
            throw fail(nil, "header length \(headerLength) is over the 100 MB limit (\(Self.maximumHeaderLength) bytes)")
        }
        guard headerLength <= UInt64(size - 8) else {
            throw fail(nil, "header length \(headerLength) reaches beyond the end of the file (\(size) bytes, so at most \(size - 8))")
        }
        let headerEnd = 8 + Int(headerLength)
        dataStart = headerEnd
        let headerBytes = Data(try source.bytes(8..<headerEnd))
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw fail(nil, "header (bytes 8..<\(headerEnd)) is not valid UTF-8, expected UTF-8 JSON")
        }
        guard let header = JSONValue.parse(headerBytes) else {
            throw fail(nil, "header (bytes 8..<\(headerEnd)) is not valid JSON, expected a JSON object")
        }
        guard let object = header.objectValue else {
            throw fail(nil, "header is \(header.kind), expected a JSON object of tensors")
        }

        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let pairs = value.objectValue else {
                    throw fail("header key __metadata__", "is \(value.kind), expected an object of strings")
                }
                for (key, item) in pairs {
                    guard let text = item.stringValue else {
                        throw fail("header key __metadata__.\(key)", "is \(item.kind), expected a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries[name] = try Self.entry(name, value, fail: fail)
        }

        // The tensors tile the data: sorted by offsets, each starts where the previous ended.
        let dataLength = size - headerEnd
        var end = 0
        var previous: String?
        for entry in entries.values.sorted(by: { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name) }) {
            let range = entry.dataOffsets
            if range.lowerBound < end, let previous {
                throw fail("tensor \(entry.name)", "has data_offsets [\(range.lowerBound), \(range.upperBound)], which overlap tensor \(previous) (ends at \(end)); expected tensors that do not overlap")
            }
            if range.lowerBound > end {
                throw fail("tensor \(entry.name)", "has data_offsets [\(range.lowerBound), \(range.upperBound)], leaving bytes \(end)..<\(range.lowerBound) of the data unused; expected the tensors to cover the data without gaps")
            }
            if range.upperBound > dataLength {
                throw fail("tensor \(entry.name)", "has data_offsets [\(range.lowerBound), \(range.upperBound)], beyond the end of the data (\(dataLength) bytes after the header)")
            }
            end = range.upperBound
            previous = entry.name
        }
        if end != dataLength {
            throw fail(nil, "has \(dataLength) bytes of data after the header but its tensors cover \(end); expected them to cover it exactly")
        }
        self.metadata = metadata
        self.entries = entries
    }

    /// One header entry, every field checked.
    private static func entry(_ name: String, _ value: JSONValue, fail: (String?, String) -> CheckpointError) throws -> Entry {
        let subject = "tensor \(name)"
        guard let fields = value.objectValue else {
            throw fail(subject, "is \(value.kind) in the header, expected an object with dtype, shape and data_offsets")
        }
        guard let dtypeValue = fields["dtype"] else { throw fail(subject, "has no dtype in the header") }
        guard let dtypeName = dtypeValue.stringValue else {
            throw fail(subject, "has a dtype that is \(dtypeValue.kind), expected a string such as \"F32\"")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw fail(subject, "has unknown dtype \"\(dtypeName)\", expected one of \(DType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let shapeValue = fields["shape"] else { throw fail(subject, "has no shape in the header") }
        guard let shapeItems = shapeValue.arrayValue else {
            throw fail(subject, "has a shape that is \(shapeValue.kind), expected an array of whole numbers")
        }
        var shape: [Int] = []
        for item in shapeItems {
            guard let length = item.integerValue, length >= 0 else {
                throw fail(subject, "has a shape entry that is \(item.kind == "a whole number" ? "negative" : item.kind), expected a whole number ≥ 0")
            }
            shape.append(length)
        }
        guard let offsetsValue = fields["data_offsets"] else { throw fail(subject, "has no data_offsets in the header") }
        guard let offsets = offsetsValue.arrayValue, offsets.count == 2,
              let begin = offsets[0].integerValue, let end = offsets[1].integerValue, begin >= 0, end >= 0 else {
            throw fail(subject, "has data_offsets \(offsetsValue.kind == "an array" ? "that are not two whole numbers ≥ 0" : "that are \(offsetsValue.kind)"), expected [begin, end]")
        }
        guard begin <= end else {
            throw fail(subject, "has data_offsets [\(begin), \(end)] out of order, expected begin ≤ end")
        }
        var count = 1
        for length in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: length)
            guard !overflow else { throw fail(subject, "has shape \(shapeText(shape)), too many elements to address") }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, byteCount == end - begin else {
            throw fail(subject, "has data_offsets [\(begin), \(end)] (\(end - begin) bytes) but shape \(shapeText(shape)) in \(dtype.rawValue) needs \(overflow ? "more than can be addressed" : "\(byteCount) bytes") (\(count) × \(dtype.byteSize))")
        }
        return Entry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// The tensor `name`; every value must be finite. F32 values are kept as they are
    /// (`CheckpointTensor.binary32`), the other dtypes converted to `Double`.
    public func tensor(_ name: String) throws -> CheckpointTensor {
        let entry = try readableEntry(name)
        return try tensors(of: entry, columnBlocks: 1)[0]
    }

    /// The tensor `name` cut into `count` equal blocks of columns (of its last dimension), as
    /// `CheckpointTensor.columns` would cut it (`c_attn.weight[:, 768..<1536]`), each block
    /// written straight from the file: the whole tensor is never held beside its parts.
    public func columnBlocks(_ name: String, count: Int) throws -> [CheckpointTensor] {
        let entry = try readableEntry(name)
        return try tensors(of: entry, columnBlocks: count)
    }

    /// `entry`'s tensor, its last dimension cut into `parts` equal blocks of columns.
    private func tensors(of entry: Entry, columnBlocks parts: Int) throws -> [CheckpointTensor] {
        let width = (entry.shape.last ?? 1) / parts
        precondition(width * parts == (entry.shape.last ?? 1), "\(parts) blocks do not divide the columns of \(entry.name)")
        let shape = Array(entry.shape.dropLast()) + [width]
        func name(_ block: Int) -> String {
            guard parts > 1 else { return entry.name }
            let columns = (block * width)..<((block + 1) * width)
            return entry.shape.count == 1 ? "\(entry.name)[\(columns)]" : "\(entry.name)[:, \(columns)]"
        }
        if entry.dtype == .F32 {
            let blocks: [[Float]] = try values(of: entry, columnBlocks: parts) { raw, out, n in sitegen_read_f32(raw, n, &out) != 0 }
            return blocks.enumerated().map { CheckpointTensor(name: name($0), shape: shape, binary32: $1) }
        }
        let blocks: [[Double]] = try values(of: entry, columnBlocks: parts) { raw, out, n in Self.widen(raw, as: entry.dtype, into: &out, count: n) }
        return blocks.enumerated().map { CheckpointTensor(name: name($0), shape: shape, values: $1, dtype: entry.dtype) }
    }

    private func readableEntry(_ name: String) throws -> Entry {
        guard let entry = entries[name] else {
            throw CheckpointError(file: file, subject: "tensor \(name)", message: "is not in the file")
        }
        guard entry.dtype.isReadable else {
            throw CheckpointError(file: file, subject: "tensor \(name)",
                                  message: "has dtype \(entry.dtype.rawValue), expected one of \(DType.readable.map(\.rawValue).joined(separator: ", "))")
        }
        return entry
    }

    /// The values of `entry`, its last dimension cut into `parts` equal column blocks (one
    /// block: the whole tensor in C order); every value must be finite. Read and converted a
    /// megabyte at a time by `convert` (the first n values of the bytes into the buffer; true
    /// when one is NaN or ±Inf), each piece's values appended to the block they belong to: a
    /// 150 MB tensor is read without a copy of its bytes, and each value is written once.
    private func values<Number: BinaryFloatingPoint>(of entry: Entry, columnBlocks parts: Int,
                                                     convert: ([UInt8], inout [Number], Int) -> Bool) throws -> [[Number]] {
        let count = entry.dataOffsets.count / entry.dtype.byteSize
        let width = (entry.shape.last ?? 1) / parts
        var blocks: [[Number]] = (0..<parts).map { _ in
            var block: [Number] = []
            block.reserveCapacity(count / parts)
            return block
        }
        var converted = [Number](repeating: 0, count: min(count, Self.conversionChunk / entry.dtype.byteSize))
        var done = 0  // values appended so far, in C order
        let first = dataStart + entry.dataOffsets.lowerBound
        try source.pieces(of: first..<(first + entry.dataOffsets.count), size: Self.conversionChunk) { raw in
            let n = raw.count / entry.dtype.byteSize
            if convert(raw, &converted, n),
               let bad = converted[0..<n].firstIndex(where: { !$0.isFinite }) {
                let what = converted[bad].isNaN ? "NaN" : (converted[bad] > 0 ? "+Inf" : "-Inf")
                throw CheckpointError(file: file, subject: "tensor \(entry.name)",
                                      message: "has \(what) at flat index \(done + bad) (index \(shapeText(multiIndex(done + bad, in: entry.shape)))), expected finite weights")
            }
            if parts == 1 {
                blocks[0].append(contentsOf: converted[0..<n])
                done += n
                return
            }
            // The piece in runs that stay within one block's columns of one row.
            var i = 0
            while i < n {
                let column = done % (width * parts)
                let run = min(n - i, width - column % width)
                blocks[column / width].append(contentsOf: converted[i..<(i + run)])
                i += run
                done += run
            }
        }
        return blocks
    }

    /// Bytes converted at a time: 1 MiB, a whole number of values of every dtype.
    static let conversionChunk = 1 << 20

    /// The first `count` little-endian values of `dtype` in `raw`, exactly, into `out[0..<count]`;
    /// true when one of them is NaN or ±Inf. One Swift loop per dtype (F32, every GPT-2
    /// checkpoint's, is kept as binary32 by the kernel file's one C loop instead).
    private static func widen(_ raw: [UInt8], as dtype: DType, into out: inout [Double], count: Int) -> Bool {
        switch dtype {
        case .F64:
            for i in 0..<count {
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(raw[8 * i + k]) << (8 * UInt64(k)) }
                out[i] = FloatBits.double(bits)
            }
        case .F16:
            for i in 0..<count { out[i] = FloatBits.half(UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8) }
        case .BF16:
            for i in 0..<count { out[i] = FloatBits.bfloat(UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8) }
        default:
            break  // not reached: F32 is read as binary32, and readableEntry(_:) refuses the other dtypes first
        }
        return out[0..<count].contains { !$0.isFinite }
    }
}
