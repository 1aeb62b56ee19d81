import Diagnostics
import FoundationEssentials
import ModelFormats
import PageValidation
import TransformerEngine

/// The build, as the ordered list of named steps in `site(_:steps:)`: read the inputs, run
/// the forward pass, generate the continuations and render the forward pass's pages beside
/// the learning chapter's gradients and training run, render the learning pages beside
/// writing trace.json, check every page, write the site. Each step is timed and logged on one line; `∥` in a step's name marks two pieces of
/// work run side by side, on cores that would otherwise idle. Pages render on every core,
/// each checked by libxml2 on the thread that rendered it.
public enum SiteBuild {
    /// Builds and writes the site; on any error nothing is written and the previous site stays.
    @discardableResult
    public static func run(_ options: BuildOptions, log: @escaping (String) -> Void = { _ in }) throws(BuildFailure) -> BuildReport {
        _ = try SiteWriter.checkOutput(options.outputPath)
        var steps = BuildSteps(log: log)
        let site = try site(options, steps: &steps)
        try steps.run("write site") { () throws(BuildFailure) in try SiteWriter.write(site.files, to: options.outputPath) }
        return site.report(steps)
    }

    /// Builds the site in memory (site-relative path → bytes) without writing it.
    public static func render(_ options: BuildOptions, log: @escaping (String) -> Void = { _ in }) throws(BuildFailure) -> (files: [String: [UInt8]], report: BuildReport) {
        var steps = BuildSteps(log: log)
        let site = try site(options, steps: &steps)
        return (site.files, site.report(steps))
    }

    /// The steps of a build, in order.
    static func site(_ options: BuildOptions, steps: inout BuildSteps) throws(BuildFailure) -> BuiltSite {
        let (model, templates) = try steps.run("read model ∥ load templates") { () throws(BuildFailure) in
            try readInputs(options)
        }
        let training = try trainingSettings(options, model: model.model)
        let followed = try followedTokens(options, count: model.model.prompt.ids.count)
        try checkGenerationSettings(options)
        let trace = try steps.run("forward pass") { Transformer.forward(model.model) }
        // The continuations read the weights more than they compute (memory-bound); the
        // gradients and the training run compute more than they read: side by side they share
        // the cores well. The forward pass's pages need neither the gradients nor the training
        // run, so they render as soon as the continuations are done, beside the gradients.
        let ((generation, forwardPages), learned) = try steps.run(
            "generation, forward pages", { () throws(BuildFailure) in
                let generation = Transformer.generate(model.model, prompt: model.model.prompt, settings: options.generation, trace: trace)
                let data = SiteData(loaded: model, trace: trace, generation: generation, displayPath: options.modelLabel,
                                    learning: nil, followed: followed)
                return (generation, try renderPages(data, templates, where: { !showsLearning($0) }))
            },
            beside: "gradients and training", { learning(model.model, trace: trace, rate: training.rate, steps: training.steps) })
        let data = SiteData(loaded: model, trace: trace, generation: generation, displayPath: options.modelLabel,
                            learning: learned, followed: followed)
        let (learningPages, traceFile) = try steps.run(
            "learning pages", { () throws(BuildFailure) in try renderPages(data, templates, where: showsLearning) },
            beside: "trace.json", {
                TraceFiles.files(trace, model: model.model, gradients: learned?.gradients,
                                 digests: learned?.digests ?? GradientDigests(), run: learned?.run,
                                 generation: generation, inlineLimit: options.traceInlineLimit)
            })
        let pages = forwardPages + learningPages
        let files = try steps.run("check pages") { () throws(BuildFailure) in
            try checkedSite(pages: pages, assets: templates.assets,
                            model: model.checkpoint == nil ? model.bytes : nil,
                            checkpointScript: model.checkpoint.flatMap { try? ModelScript.Checkpoint.script(model: model.model, checkpoint: $0).get() },
                            vocabulary: TokensPage.vocabularyFile(model.model, checkpoint: model.checkpoint),
                            trace: traceFile, output: options.outputPath)
        }
        return BuiltSite(files: files, trace: trace)
    }

    /// A site built in memory, and what its summary line shows.
    struct BuiltSite {
        var files: [String: [UInt8]]
        var trace: Trace

        func report(_ steps: BuildSteps) -> BuildReport {
            BuildReport(pageCount: files.keys.filter { $0.hasSuffix(".html") }.count, fileCount: files.count,
                        totalBytes: files.values.reduce(0) { $0 + $1.count },
                        prediction: trace.prediction, target: trace.target, loss: trace.loss,
                        steps: steps.done, seconds: steps.seconds)
        }
    }

    /// The model file and the templates, each template compiled on its own, all side by side;
    /// both are checked, so one run reports the problems of both.
    static func readInputs(_ options: BuildOptions) throws(BuildFailure) -> (ModelInput, TemplateSet) {
        let folder = Result { () throws(BuildFailure) in try TemplateSet.TemplateFolder.read(options.templatesPath) }
        let files = (try? folder.get())?.templates ?? []
        let (compiled, model) = Parallel.both({
            Parallel.map(files.count) { TemplateSet.compile(files[$0]) }
        }, beside: { Timed { () throws(BuildFailure) in try loadModel(options) } })
        let templates = Timed { () throws(BuildFailure) in try TemplateSet.assemble(try folder.get(), compiled: compiled) }
        guard case .success(let set) = templates.result, case .success(let loaded) = model.result else {
            throw BuildFailure(templates.problems + model.problems)
        }
        return (loaded, set)
    }

    /// The pages that show the learning chapter's numbers: its own, and the overview, which
    /// sums the chapter up.
    static func showsLearning(_ stage: Stage) -> Bool { stage.isLearning || stage == .overview }

    /// Every page of the stages `include` accepts, in stage-map order, rendered on every core;
    /// the first failure in that order is the one reported.
    static func renderPages(_ data: SiteData, _ templates: TemplateSet, where include: (Stage) -> Bool) throws(BuildFailure) -> [SiteRenderer.RenderedPage] {
        let renderer = SiteRenderer(data: data, templates: templates)
        let jobs = renderer.jobs.filter { include($0.stage) }
        let pages = Parallel.map(jobs.count) { k in Timed { () throws(BuildFailure) in try renderer.render(jobs[k]) } }
        var rendered: [SiteRenderer.RenderedPage] = []
        for page in pages { rendered.append(try page.result.get()) }
        return rendered
    }

    /// Every file of the site, once the checker passed the pages and the links between them.
    /// `model` is the model file, published as it is; nil for a checkpoint (its files are listed).
    /// `checkpointScript` is a checkpoint's model.js, when its playground is offered;
    /// `vocabulary` the vocabulary.json a vocabulary too long for the tokens page goes to.
    static func checkedSite(pages: [SiteRenderer.RenderedPage], assets: [String: [UInt8]], model: [UInt8]?,
                            checkpointScript: [UInt8]? = nil, vocabulary: [UInt8]? = nil, trace: [String: [UInt8]],
                            output: String) throws(BuildFailure) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        var scanned: [String: SiteChecker.ScannedPage] = [:]
        for page in pages {
            files[page.path] = page.bytes
            scanned[page.path] = page.scan
        }
        for (name, bytes) in assets { files[name] = bytes }
        if let model {
            files["model.json"] = model
            if ModelScript.isOffered(modelBytes: model.count) { files[ModelScript.name] = ModelScript.bytes(model: model) }
        }
        if let checkpointScript { files[ModelScript.name] = checkpointScript }
        for (name, bytes) in trace { files[name] = bytes }
        if let vocabulary { files[TokensPage.vocabularyName] = vocabulary }
        let prefix = output.hasSuffix("/") ? output : output + "/"
        let diagnostics = SiteChecker.check(files: files, scanned: scanned, displayPrefix: prefix)
        guard diagnostics.isEmpty else { throw BuildFailure(diagnostics) }
        return files
    }

    /// The model file, with the prompt and target the options override.
    /// A checkpoint (a folder or its .safetensors) takes its prompt from `--text` and `--target`;
    /// the file-size limit is a model file's (a checkpoint's weights are read as binary), the
    /// model's limits are the same.
    static func loadModel(_ options: BuildOptions) throws(BuildFailure) -> ModelInput {
        let checkpoint = options.modelPath.flatMap { CheckpointLoader.isCheckpoint($0) ? $0 : nil }
        if let path = options.modelPath, checkpoint == nil { try ModelLimits.checkFile(path, limits: options.limits) }
        let textField = options.text == nil && checkpoint == nil ? "prompt.text" : "--text"
        let targetField = options.target == nil && checkpoint == nil ? "prompt.target" : "--target"
        var loaded: ModelInput
        do throws(Diagnostic) {
            if let checkpoint {
                loaded = try ModelInput.readCheckpoint(checkpoint, text: options.text, target: options.target)
            } else {
                loaded = try ModelInput.read(options.modelPath)
            }
            if checkpoint == nil && (options.text != nil || options.target != nil) {
                let builder = PromptBuilder(model: loaded.model, file: options.modelLabel)
                let text = options.text ?? loaded.model.prompt.text
                // A new text drops the file's target unless one is given.
                let target = options.target ?? (options.text == nil ? loaded.model.prompt.target : nil)
                loaded.model.prompt = try builder.make(
                    text: text, target: target,
                    textSource: (textField, nil, nil), targetSource: (targetField, nil, nil))
            }
        } catch {
            throw BuildFailure(error)
        }
        try ModelLimits.check(loaded.model, file: options.modelLabel, textField: textField, targetField: targetField,
                              limits: options.limits)
        return loaded
    }

    /// The followed positions (`--follow`), checked against the prompt's length.
    static func followedTokens(_ options: BuildOptions, count: Int) throws(BuildFailure) -> [Int] {
        guard let positions = options.follow.positions(count: count) else {
            throw BuildFailure(Diagnostic(file: options.modelLabel, field: "--follow",
                                          message: "names a position past the prompt's end: the prompt has \(count) token\(count == 1 ? "" : "s"), positions 0 to \(count - 1)"))
        }
        return positions
    }

    /// The learning rate and step count: the options', else the model file's, else the defaults
    /// (the default step count shrinks with the model's size: `TrainingConfig.defaultSteps`).
    static func trainingSettings(_ options: BuildOptions, model: Model) throws(BuildFailure) -> (rate: Double, steps: Int) {
        let config = model.training ?? .default
        let rate = options.learningRate ?? config.learningRate
        let steps = options.steps ?? model.training?.steps
            ?? TrainingConfig.defaultSteps(model.config, tokens: model.prompt.ids.count, vocabSize: model.vocab.count)
        guard rate.isFinite, rate > 0 else {
            throw BuildFailure(Diagnostic(file: options.modelLabel, message: "--learning-rate is \(rate), expected a number > 0"))
        }
        guard (1...TrainingConfig.maxSteps).contains(steps) else {
            throw BuildFailure(Diagnostic(file: options.modelLabel, message: "--steps is \(steps), expected a whole number from 1 to \(TrainingConfig.maxSteps)"))
        }
        return (rate, steps)
    }

    /// The learning chapter's numbers: this pass's gradients and their digests (what every
    /// page and trace file reads of each weight gradient, formed once), one step, and the
    /// training run (nil when the prompt has no target).
    static func learning(_ model: Model, trace: Trace, rate: Double, steps: Int) -> SiteData.Learning? {
        // The run starts from this pass's gradients, and its first step is the page's one step;
        // the digests read the same gradients beside it.
        guard let gradients = Backward.gradients(model, trace: trace) else { return nil }
        let (run, digests) = Parallel.both({
            TrainingRun.train(model, learningRate: rate, steps: steps, trace: trace, gradients: gradients)
        }, beside: { GradientDigests(forSite: gradients) })
        guard let run, let first = run.firstStepTrace else { return nil }
        return SiteData.Learning(gradients: gradients, digests: digests, learningRate: rate, steppedTrace: first, run: run)
    }

    /// The generation settings (`--generate`, `--temperature`, `--top-k`, `--top-p`, `--seed`), checked
    /// before any work.
    static func checkGenerationSettings(_ options: BuildOptions) throws(BuildFailure) {
        let problems = options.generation.problems
        guard problems.isEmpty else {
            throw BuildFailure(problems.map { Diagnostic(file: options.modelLabel, field: $0.option, message: $0.message) })
        }
    }
}
