/// Turns an `Encodable` value into what templates see of it: a struct's stored properties
/// become names (its synthesized `encode(to:)` hands each one over, typed), an array a list,
/// a string text, a number its digits (`String(describing:)`'s), `nil` false. A
/// `TemplateValues` value hands itself over to be asked name by name.
final class TemplateEncoder: Encoder {
    let codingPath: [any CodingKey] = []
    let userInfo: [CodingUserInfoKey: Any] = [:]

    /// What was encoded: one value, names (a keyed container) or a list (an unkeyed one).
    /// Nested containers are encoders of their own, read when the value is.
    private enum Shape { case single, names, items }
    private var shape = Shape.single
    private var single = TemplateValue.flag(false)
    private var names: [String: TemplateValue] = [:]
    private var nestedNames: [String: TemplateEncoder] = [:]
    private var items: [TemplateValue] = []
    private var nestedItems: [Int: TemplateEncoder] = [:]
    /// Set by a `@PagePart`: its names go into the struct around it rather than under its own.
    var lendsNames = false

    static func value(of value: some Encodable) -> TemplateValue {
        let encoder = TemplateEncoder()
        // The containers never throw; only a `TemplateValues` given another encoder would.
        try? value.encode(to: encoder)
        return encoder.value
    }

    var value: TemplateValue {
        switch shape {
        case .single: single
        case .names: .names(names.merging(nestedNames.mapValues(\.value)) { _, inner in inner })
        case .items: .items(items.indices.map { nestedItems[$0]?.value ?? items[$0] })
        }
    }

    func store(_ value: TemplateValue) {
        shape = .single
        single = value
    }

    fileprivate func set(_ value: TemplateValue, for key: some CodingKey) { set(value, for: key.stringValue) }

    fileprivate func set(_ value: TemplateValue, for name: String) {
        shape = .names
        names[name] = value
    }

    fileprivate func nested(for key: some CodingKey) -> TemplateEncoder {
        shape = .names
        let encoder = TemplateEncoder()
        nestedNames[key.stringValue] = encoder
        return encoder
    }

    fileprivate func append(_ value: TemplateValue) {
        shape = .items
        items.append(value)
    }

    fileprivate func appendNested() -> TemplateEncoder {
        let encoder = TemplateEncoder()
        nestedItems[items.count] = encoder
        append(.flag(false))
        return encoder
    }

    fileprivate var count: Int { items.count }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        shape = .names
        return KeyedEncodingContainer(Names(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        shape = .items
        return Items(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }

    private struct Names<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: TemplateEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) { encoder.set(.flag(false), for: key) }
        mutating func encode(_ value: Bool, forKey key: Key) { encoder.set(.flag(value), for: key) }
        mutating func encode(_ value: String, forKey key: Key) { encoder.set(.text(value), for: key) }
        mutating func encode(_ value: Double, forKey key: Key) { encoder.set(.text(value.description), for: key) }
        mutating func encode(_ value: Float, forKey key: Key) { encoder.set(.text(value.description), for: key) }
        mutating func encode(_ value: Int, forKey key: Key) { encoder.set(.number(value), for: key) }
        mutating func encode(_ value: Int8, forKey key: Key) { encoder.set(.text(String(value)), for: key) }
        mutating func encode(_ value: Int16, forKey key: Key) { encoder.set(.text(String(value)), for: key) }
        mutating func encode(_ value: Int32, forKey key: Key) { encoder.set(.text(String(value)), for: key) }
        mutating func encode(_ value: Int64, forKey key: Key) { encoder.set(.text(String(value)), for: key) }
        mutating func encode(_ value: UInt, forKey key: Key) { encoder.set(.text(String(value)), for: key) }
        mutating func encode(_ value: UInt8, forKey key: Key) { encoder.set(.text(String(value)), for: key) }
        mutating func encode(_ value: UInt16, forKey key: Key) { encoder.set(.text(String(value)), for: key) }
        mutating func encode(_ value: UInt32, forKey key: Key) { encoder.set(.text(String(value)), for: key) }
        mutating func encode(_ value: UInt64, forKey key: Key) { encoder.set(.text(String(value)), for: key) }
        mutating func encode(_ value: some Encodable, forKey key: Key) {
            let inner = TemplateEncoder()
            try? value.encode(to: inner)
            if inner.lendsNames, case .names(let names) = inner.value {
                for (name, value) in names { encoder.set(value, for: name) }
            } else {
                encoder.set(inner.value, for: key.stringValue)
            }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            encoder.nested(for: key).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { encoder.nested(for: key).unkeyedContainer() }
        mutating func superEncoder() -> any Encoder { encoder.nested(for: SuperKey()) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder.nested(for: key) }
    }

    private struct SuperKey: CodingKey {
        var stringValue: String { "super" }
        var intValue: Int? { nil }
        init() {}
        init?(stringValue: String) { nil }
        init?(intValue: Int) { nil }
    }

    private struct Items: UnkeyedEncodingContainer, ValueSink {
        let encoder: TemplateEncoder
        var codingPath: [any CodingKey] { [] }
        var count: Int { encoder.count }

        func put(_ value: TemplateValue) { encoder.append(value) }
        mutating func encode(_ value: some Encodable) { encoder.append(TemplateEncoder.value(of: value)) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            encoder.appendNested().container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { encoder.appendNested().unkeyedContainer() }
        mutating func superEncoder() -> any Encoder { encoder.appendNested() }
    }

    private struct Single: SingleValueEncodingContainer, ValueSink {
        let encoder: TemplateEncoder
        var codingPath: [any CodingKey] { [] }

        func put(_ value: TemplateValue) { encoder.store(value) }
        mutating func encode(_ value: some Encodable) { try? value.encode(to: encoder) }
    }
}

/// A container that takes one value at a time (a list's next, or the only one): every number
/// type as its digits, through `put`.
private protocol ValueSink {
    func put(_ value: TemplateValue)
}

extension ValueSink {
    mutating func encodeNil() { put(.flag(false)) }
    mutating func encode(_ value: Bool) { put(.flag(value)) }
    mutating func encode(_ value: String) { put(.text(value)) }
    mutating func encode(_ value: Double) { put(.text(value.description)) }
    mutating func encode(_ value: Float) { put(.text(value.description)) }
    mutating func encode(_ value: Int) { put(.number(value)) }
    mutating func encode(_ value: Int8) { put(.text(String(value))) }
    mutating func encode(_ value: Int16) { put(.text(String(value))) }
    mutating func encode(_ value: Int32) { put(.text(String(value))) }
    mutating func encode(_ value: Int64) { put(.text(String(value))) }
    mutating func encode(_ value: UInt) { put(.text(String(value))) }
    mutating func encode(_ value: UInt8) { put(.text(String(value))) }
    mutating func encode(_ value: UInt16) { put(.text(String(value))) }
    mutating func encode(_ value: UInt32) { put(.text(String(value))) }
    mutating func encode(_ value: UInt64) { put(.text(String(value))) }
}
