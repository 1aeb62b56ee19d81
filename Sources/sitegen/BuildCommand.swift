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

    @Option(name: .long, help: ArgumentHelp("Learning rate η of the learning chapter's gradient steps (default: the model file's training.learning_rate, else 0.02).", valueName: "η"))
    var learningRate: Double?

    @Option(name: .long, help: ArgumentHelp("Gradient steps in the learning chapter's training run (default: the model file's training.steps, else 40, fewer for big models).", valueName: "n"))
    var steps: Int?

    @Flag(name: .long, help: "Print only errors.")
    var quiet = false

    @Flag(name: .long, help: "Build, then rebuild whenever the model file or a template changes (Ctrl-C to stop).")
    var watch = false

    func run() throws {
        let options = BuildOptions(modelPath: model, outputPath: output, templatesPath: templates, text: text, target: target,
                                   learningRate: learningRate, steps: steps)
        if watch {
            let stop = StopSignal.install()
            // Unbuffered, so each line shows at once even when piped.
            let watcher = SiteWatcher(options: options, log: { line in if !quiet { FileHandle.standardOutput.write(Data((line + "\n").utf8)) } },
                                      errorLog: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            watcher.run(shouldStop: { stop.isSet })
            if !quiet { print("stopped") }
            return
        }
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
