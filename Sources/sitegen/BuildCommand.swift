import ArgumentParser
import Foundation
import SiteBuilder

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the site (the default command)."
    )

    @Option(name: .long, help: ArgumentHelp("The model file (JSON).", valueName: "path"))
    var model: String = "Models/seed.json"

    @Option(name: .long, help: ArgumentHelp("Where to write the site. Only a folder sitegen created, or an empty one, is replaced.", valueName: "dir"))
    var output: String = "Site"

    @Option(name: .long, help: ArgumentHelp("The templates folder (HTML templates and style.css).", valueName: "dir"))
    var templates: String = "Templates"

    @Option(name: .long, help: ArgumentHelp("Use this prompt instead of the model file's (its tokens must be in the vocabulary).", valueName: "text"))
    var text: String?

    @Option(name: .long, help: ArgumentHelp("The expected next token, for the loss. With --text and no --target there is no loss.", valueName: "word"))
    var target: String?

    @Flag(name: .long, help: "Print only errors.")
    var quiet = false

    func run() throws {
        let options = BuildOptions(modelPath: model, outputPath: output, templatesPath: templates, text: text, target: target)
        do {
            let report = try SiteBuild.run(options, log: { line in if !quiet { print(line) } })
            if !quiet {
                let kb = (report.totalBytes + 1023) / 1024
                let verdict = report.target.map { target in
                    "predicts “\(report.prediction)”, target “\(target)”, loss \(String(format: "%.4f", report.loss ?? 0))"
                } ?? "predicts “\(report.prediction)”"
                print("Built \(report.pageCount) pages (\(kb) KB) in \(Int((report.seconds * 1000).rounded())) ms → \(output)/  (\(verdict))")
            }
        } catch {
            for problem in error.problems {
                FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
            }
            throw ExitCode.failure
        }
    }
}
