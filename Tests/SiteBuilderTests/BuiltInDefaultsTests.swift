import Foundation
import Testing
@testable import SiteBuilder

/// The templates and seed model compiled into the binary are the repository's own, and the
/// binary builds the seed site in a folder that has neither.
@Suite struct BuiltInDefaultsTests {
    @Test func builtInTemplatesAreTheTemplatesFolderFileByFile() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: RepoPaths.templates).filter { !$0.hasPrefix(".") }.sorted()
        #expect(BuiltInDefaults.templateFiles.keys.sorted() == names)
        for name in names {
            let onDisk = [UInt8](FileManager.default.contents(atPath: RepoPaths.templates + "/" + name) ?? Data())
            #expect(BuiltInDefaults.templateFiles[name] == onDisk, "\(name) differs from the built-in copy")
        }
    }

    @Test func builtInSeedIsModelsSeedJSON() {
        #expect(BuiltInDefaults.seedModel == [UInt8](FileManager.default.contents(atPath: RepoPaths.seedModel) ?? Data()))
    }

    @Test func aBuildWithNoPathsGivenIsTheCommittedSite() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try SiteBuild.run(BuildOptions(modelPath: nil, outputPath: tmp.sub("Site"), templatesPath: nil))
        #expect(readTree(tmp.sub("Site")) == readTree(RepoPaths.path("Site")))
    }

    @Test func theBinaryBuildsTheSeedSiteInAnEmptyFolder() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let run = try runSitegen(["--quiet"], in: tmp.path)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.isEmpty)
        let built = readTree(tmp.sub("Site")), committed = readTree(RepoPaths.path("Site"))
        #expect(built.keys.sorted() == committed.keys.sorted())
        #expect(built == committed, "differs: \(built.keys.filter { built[$0] != committed[$0] }.sorted())")
    }

    @Test func theWorkingFoldersTemplatesWinOverTheBuiltInOnes() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let templates = copyTemplates(to: tmp.path)
        let tokens = templates + "/tokens.html"
        let edited = text([UInt8](FileManager.default.contents(atPath: tokens)!)).replacingOccurrences(of: "<h2>The vocabulary</h2>", with: "<h2>The working folder's vocabulary</h2>")
        try edited.write(toFile: tokens, atomically: true, encoding: .utf8)
        let run = try runSitegen(["--quiet"], in: tmp.path)
        #expect(run.status == 0, "\(run.errors)")
        #expect(text(readTree(tmp.sub("Site"))["tokens.html"]).contains("The working folder's vocabulary"))
    }

    @Test func helpSaysWhichDefaultsAreUsed() throws {
        let run = try runSitegen(["help", "build"], in: NSTemporaryDirectory())
        // Help wraps its lines: compare with single spaces.
        let help = run.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("Models/seed.json in the working folder if it exists, else the seed model built into sitegen"))
        #expect(help.contains("Templates/ in the working folder if it exists, else the templates built into sitegen"))
    }
}

/// The `sitegen` binary beside the test bundle (`swift test` builds it).
var sitegenBinary: String {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    return directory.appendingPathComponent("sitegen").path
}

/// Runs `sitegen` with `arguments` in `folder`; its exit status, standard output and error.
func runSitegen(_ arguments: [String], in folder: String) throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: sitegenBinary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile(), errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
}
