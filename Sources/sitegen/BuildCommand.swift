import ArgumentParser
import Checkpoints
import CMemoryPolicy
import FoundationEssentials
import SiteBuilder
import TransformerEngine
import Diagnostics

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the site (the default command)."
    )

    @Option(name: .long, help: ArgumentHelp("The model file (JSON), or a GPT-2 checkpoint: its folder (config.json, model.safetensors, tokenizer.json) or its model.safetensors. Default: Models/seed.json in the working folder if it exists, else the seed model built into sitegen.", valueName: "path"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Where to write the site. Only a folder sitegen created, or an empty one, is replaced.", valueName: "dir"))
    var output: String = "Site"

    @Option(name: .long, help: ArgumentHelp("The templates folder (HTML templates and style.css). Default: Templates/ in the working folder if it exists, else the templates built into sitegen.", valueName: "dir"))
    var templates: String?

    @Option(name: .long, help: ArgumentHelp("Use this prompt instead of the model file's (its tokens must be in the vocabulary). Required for a checkpoint, whose tokenizer encodes it.", valueName: "text"))
    var text: String?

    @Option(name: .long, help: ArgumentHelp("The expected next token, for the loss. With --text and no --target there is no loss. For a checkpoint it must encode to exactly one token (\" dog\" with its leading space).", valueName: "word"))
    var target: String?

    // `.unconditional`: `--steps -5` takes -5 as the value (and `validate` refuses it), where
    // ArgumentParser would otherwise read `-5` as an option and say the value is missing.
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Learning rate η of the learning chapter's gradient steps (default: the model file's training.learning_rate, else 0.02).", valueName: "η"))
    var learningRate: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Gradient steps in the learning chapter's training run (default: the model file's training.steps, else 40, fewer for big models).", valueName: "n"))
    var steps: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("New tokens the generation chapter appends to the prompt, greedily and by sampling (0 to 256; past max_positions each step sees the last max_positions tokens).", valueName: "n"))
    var generate: Int = GenerationSettings.default.count

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Temperature T of the sampled continuation: softmax(logits / T), T > 0.", valueName: "T"))
    var temperature: Double = GenerationSettings.default.temperature

    @Option(name: .customLong("top-k"), parsing: .unconditional, help: ArgumentHelp("Sample only from the K most likely tokens (ties: the lower id); 0 = off.", valueName: "K"))
    var topK: Int = GenerationSettings.default.topK

    @Option(name: .customLong("top-p"), parsing: .unconditional, help: ArgumentHelp("Sample only from the smallest set of most likely tokens whose probability reaches P, in (0, 1]; 1 = off.", valueName: "P"))
    var topP: Double = GenerationSettings.default.topP

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Seed of the SplitMix64 generator the sampled continuation draws u ∈ [0, 1) from, 0 … 2^53 − 1.", valueName: "S"))
    var seed: UInt64 = GenerationSettings.default.seed

    @Option(name: .long, help: ArgumentHelp("Which tokens get their own views of the stages that follow one token: last (the default), all, or positions from 0 such as 0,3 (the last token's views are always written). Links to other tokens go to the last token's views.", valueName: "all|last|i,j,…"))
    var follow: String = "last"

    @OptionGroup(title: "Limits (raising one builds a bigger site, in more time and memory)")
    var limits: LimitOptions

    @Flag(name: .long, help: "Print only errors.")
    var quiet = false

    @Flag(name: .long, help: "Build, then rebuild whenever the model file (a checkpoint's files) or a template changes (Ctrl-C to stop).")
    var watch = false

    func validate() throws {
        if let learningRate, !(learningRate.isFinite && learningRate > 0) {
            throw ValidationError("--learning-rate is \(learningRate), expected a number > 0")
        }
        if let steps, !(1...ModelLimits.maxTrainingSteps).contains(steps) {
            throw ValidationError("--steps is \(steps), expected a whole number from 1 to \(ModelLimits.maxTrainingSteps)")
        }
        if FollowedTokens(argument: follow) == nil {
            throw ValidationError("--follow is \"\(follow)\", expected all, last or positions from 0 separated by commas (0,3)")
        }
        // Arguments that are not UTF-8 reach Swift with U+FFFD in place of the bad bytes, so the
        // name would be another file's or folder's.
        for (option, value) in [("--model", model), ("--templates", templates), ("--output", output)] where value?.contains("\u{FFFD}") == true {
            throw ValidationError("\(option) is not valid UTF-8 (or holds U+FFFD); choose a UTF-8 name")
        }
    }

    /// The size of the model at `path`: the file's, or the files' of a checkpoint folder; 0
    /// for the built-in seed or a path that is not there (the build then says so).
    static func bytes(of path: String?) -> Int {
        guard let path else { return 0 }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return fileSize(atPath: path) ?? 0 }
        return names.reduce(0) { $0 + (fileSize(atPath: joinedPath(path, $1)) ?? 0) }
    }

    func run() throws {
        // A build frees and allocates arrays of the same sizes over and over (the training run's
        // steps, the pages): reusing freed memory saves the page faults of fresh memory (at
        // GPT-2 small about 0.4 M of 0.8 M, 1.2 s of system time).
        sitegen_keep_freed_memory()
        let inputs = BuiltInDefaults.resolve(model: model, templates: templates)
        if Self.bytes(of: inputs.model) >= 32 << 20 { sitegen_share_one_heap() }
        let options = BuildOptions(modelPath: inputs.model, outputPath: output, templatesPath: inputs.templates, text: text, target: target,
                                   learningRate: learningRate, steps: steps,
                                   generation: GenerationSettings(count: generate, temperature: temperature, topK: topK, topP: topP, seed: seed),
                                   follow: FollowedTokens(argument: follow) ?? .last, limits: limits.sizeLimits)
        if watch {
            let stop = StopSignal.install()
            let watcher = SiteWatcher(options: options, log: { line in if !quiet { Console.line(line) } },
                                      errorLog: { Console.line($0, to: .error) })
            watcher.run(shouldStop: { stop.isSet })
            if !quiet { Console.line("stopped") }
            return
        }
        do {
            let report = try SiteBuild.run(options, log: { line in if !quiet { Console.line(line) } })
            if !quiet { Console.line(report.summaryLine(output: output)) }
        } catch {
            for problem in error.problems { Console.error(problem.description) }
            throw ExitCode.failure
        }
    }
}
