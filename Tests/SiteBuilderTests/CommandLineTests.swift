import Foundation
import Testing
@testable import SiteBuilder

/// Runs the built `sitegen` binary (swift test builds it) as a user would, with a deadline:
/// every bad input gets exit 1 and one true line, printed with its control characters escaped.
struct SitegenRun {
    var status: Int32
    var output: String
    var errors: String
    var errorBytes: [UInt8]

    static let binary = RepoPaths.path(".build/debug/sitegen")

    /// `sitegen arguments…` in `folder`, stdin from /dev/null unless `input` is given; killed
    /// (and reported as status -1) after `seconds`.
    static func run(_ arguments: [String], in folder: String, executable: String = binary, seconds: Double = 30) throws -> SitegenRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        // Read both pipes on their own threads, so a full pipe never blocks the child.
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            group.wait()
            return SitegenRun(status: -1, output: "", errors: "timed out", errorBytes: [])
        }
        process.waitUntilExit()
        group.wait()
        return SitegenRun(status: process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus,
                          output: String(decoding: outData, as: UTF8.self), errors: String(decoding: errData, as: UTF8.self),
                          errorBytes: [UInt8](errData))
    }
}

@Suite struct CommandLineTests {
    let seed = String(decoding: FileManager.default.contents(atPath: RepoPaths.seedModel)!, as: UTF8.self)

    func build(_ arguments: [String], in folder: String) throws -> SitegenRun {
        try #require(FileManager.default.isExecutableFile(atPath: SitegenRun.binary), "swift test builds \(SitegenRun.binary)")
        return try SitegenRun.run(["--templates", RepoPaths.templates] + arguments, in: folder)
    }

    /// Exit 1 and exactly one `error:` line holding `expected`.
    func expectRefusal(_ run: SitegenRun, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 1, "status \(run.status): \(run.errors)", sourceLocation: sourceLocation)
        let lines = run.errors.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("error: ") && run.errors.contains(expected),
                "expected one line with \(expected), got: \(run.errors)", sourceLocation: sourceLocation)
    }

    @Test func controlCharactersInMessagesAreEscaped() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        // An unknown key that would retitle the terminal, and a UTF-16 model file (NUL bytes).
        let hostile = seed.replacingOccurrences(of: "\"tokenizer\"", with: "\"\\u001b]0;pwned\\u0007\\u009b2J\\u0000\": 1, \"tokenizer\"")
        try hostile.write(toFile: tmp.sub("escape.json"), atomically: false, encoding: .utf8)
        try seed.write(toFile: tmp.sub("utf16.json"), atomically: false, encoding: .utf16)
        for model in ["escape.json", "utf16.json"] {
            let run = try build(["--model", model, "--output", "Out"], in: tmp.path)
            #expect(run.status == 1, "\(model): \(run.errors)")
            let controls = run.errorBytes.filter { $0 < 0x20 && $0 != 0x0A }
            #expect(controls.isEmpty, "\(model): control bytes \(controls) in \(run.errors)")
            #expect(!run.errors.unicodeScalars.contains { (0x80...0x9F).contains($0.value) }, "\(model): a C1 control in \(run.errors)")
        }
        let run = try build(["--model", "escape.json", "--output", "Out"], in: tmp.path)
        #expect(run.errors.contains("\\u{1B}]0;pwned\\u{7}\\u{9B}2J\\u{0}"), "\(run.errors)")
        // A usage error's text comes from the arguments too.
        let usage = try build(["--fo\u{1B}[2Jo"], in: tmp.path)
        expectRefusal(usage, "\\u{1B}[2J")
    }

    @Test func modelPathsThatAreNotRegularFilesAreRefusedAtOnce() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        #expect(mkfifo(tmp.sub("fifo"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: tmp.sub("loop"), withDestinationPath: "loop")
        expectRefusal(try build(["--model", "fifo", "--output", "Out"], in: tmp.path), "fifo: is not a regular file (a named pipe)")
        expectRefusal(try build(["--model", "/dev/zero", "--output", "Out"], in: tmp.path), "/dev/zero: is not a regular file (a character device)")
        expectRefusal(try build(["--model", "/dev/stdin", "--output", "Out"], in: tmp.path), "/dev/stdin: is not a regular file")
        expectRefusal(try build(["--model", "loop", "--output", "Out"], in: tmp.path), "loop: is a symbolic link that loops")
        try FileManager.default.createSymbolicLink(atPath: tmp.sub("dangling"), withDestinationPath: "gone.json")
        expectRefusal(try build(["--model", "dangling", "--output", "Out"], in: tmp.path), "dangling: is a symbolic link to gone.json, which does not exist")
        // Over the size limit: refused from its size, before it is read.
        let big = tmp.sub("big.json")
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, off_t(ModelLimits.maxModelFileBytes + 1)) == 0)
        expectRefusal(try build(["--model", "big.json", "--output", "Out"], in: tmp.path), "big.json: is 128 MB, over the limit of 128 MB for a model file (--max-model-file-mb lifts it; a JSON model takes several times its size in memory, a checkpoint's binary weights are not bound by it)")
        #expect(!FileManager.default.fileExists(atPath: tmp.sub("Out")))
        // The option it names lifts it: the file is read (and found not to be JSON).
        let lifted = try build(["--model", "big.json", "--output", "Out", "--max-model-file-mb", "129"], in: tmp.path)
        #expect(lifted.status == 1 && !lifted.errors.contains("over the limit"), "\(lifted.errors)")
    }

    /// The `--max-…` options: in --help, refused below 1, and each lifts the limit it names.
    @Test func limitOptionsLiftTheLimitTheyName() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let help = try build(["--help"], in: tmp.path)
        for option in ["--max-layers", "--max-d-model", "--max-d-ff", "--max-vocab", "--max-positions", "--max-prompt-tokens",
                       "--max-layer-tokens", "--max-model-file-mb"] {
            #expect(help.output.contains(option), "\(option) in --help")
        }
        #expect(help.output.contains("  --max-layers <n>        Refuse a model whose config.n_layers is over n.\n"))
        expectRefusal(try build(["--model", RepoPaths.seedModel, "--max-layers", "0"], in: tmp.path), "--max-layers is 0, expected a whole number ≥ 1")
        try tinyModelJSON(layers: 3).write(toFile: tmp.sub("three.json"), atomically: false, encoding: .utf8)
        expectRefusal(try build(["--model", "three.json", "--output", "Out", "--max-layers", "2"], in: tmp.path),
                      "three.json: config.n_layers is 3, over the limit of 2 (--max-layers lifts it)")
        let built = try build(["--model", "three.json", "--output", "Out", "--max-layers", "3", "--quiet"], in: tmp.path)
        #expect(built.status == 0, "\(built.errors)")
    }

    @Test func badOptionsAndOutputsGetTheirTrueReason() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let model = RepoPaths.seedModel
        expectRefusal(try build(["--model", model, "--steps", "-5"], in: tmp.path), "--steps is -5, expected a whole number from 1 to")
        expectRefusal(try build(["--model", model, "--learning-rate", "-0.5"], in: tmp.path), "--learning-rate is -0.5, expected a number > 0")
        try "notes".write(toFile: tmp.sub("notes.txt"), atomically: false, encoding: .utf8)
        let under = try build(["--model", model, "--output", "notes.txt/Site"], in: tmp.path)
        expectRefusal(under, "notes.txt is a file, so no folder can be made inside it")
        // A name that is not UTF-8, through the shell (Foundation passes only valid strings).
        let shell = try SitegenRun.run(["-c", "exec \"$0\" --templates \"$1\" --model \"$2\" --output \"$(printf '\\377out')\"",
                                        SitegenRun.binary, RepoPaths.templates, model], in: tmp.path, executable: "/bin/sh")
        expectRefusal(shell, "--output is not valid UTF-8")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["notes.txt"])
    }

    @Test func checkingAFolderWithNoPageIsAnError() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try FileManager.default.createDirectory(atPath: tmp.sub("empty"), withIntermediateDirectories: false)
        let run = try SitegenRun.run(["check", "empty"], in: tmp.path)
        #expect(run.status == 1)
        #expect(run.errors.contains("holds no page"), "\(run.errors)")
        #expect(!run.output.contains("check clean"))
        let shell = try SitegenRun.run(["-c", "exec \"$0\" check \"$(printf 'Site\\377')\"", SitegenRun.binary], in: tmp.path, executable: "/bin/sh")
        #expect(shell.status == 1)
        #expect(shell.errors.contains("not valid UTF-8"), "\(shell.errors)")
    }

    @Test func nonFiniteAndHugeNumbersAreFormattedSensibly() {
        #expect(NumberFormat.short(.nan) == "NaN")
        #expect(NumberFormat.short(-.infinity) == "−∞")
        #expect(NumberFormat.short(.greatestFiniteMagnitude) == "1.80e+308")
        #expect(NumberFormat.short(-2.5e20, decimals: 4) == "−2.5000e+20")
        #expect(NumberFormat.short(123.456) == "123.46")
        var report = BuildReport(pageCount: 35, fileCount: 40, totalBytes: 2048, prediction: "cat", target: "mat",
                                 loss: -.nan, steps: [], seconds: 0.1)
        #expect(report.summaryLine(output: "Site") == "Built 35 pages (2 KB) in 100 ms → Site/  (predicts “cat”, target “mat”, loss NaN)")
        report.loss = 2.5044e306
        #expect(report.summaryLine(output: "Site").hasSuffix("loss 2.5044e+306)"))
    }

    @Test func terminalTextShowsEveryControlCharacter() {
        #expect(TerminalText.escaped("a\u{1B}]0;x\u{07}b") == "a\\u{1B}]0;x\\u{7}b")
        #expect(TerminalText.escaped("nul\u{0} del\u{7F} csi\u{9B} rlo\u{202E} line\nfeed") == "nul\\u{0} del\\u{7F} csi\\u{9B} rlo\\u{202E} line\\u{A}feed")
        #expect(TerminalText.escaped("tab\tand “quotes” ∥ → é") == "tab\tand “quotes” ∥ → é")
    }
}
