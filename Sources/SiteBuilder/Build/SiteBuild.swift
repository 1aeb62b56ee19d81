import Diagnostics
import Foundation
import PageValidation
import ModelFormats
import TransformerEngine

/// What to build and where.
public struct BuildOptions: Sendable {
    public var modelPath: String = "Models/seed.json"
    public var outputPath: String = "Site"
    public var templatesPath: String = "Templates"
    /// Override the model file's prompt and target.
    public var text: String? = nil
    public var target: String? = nil
    /// Override the model file's `"training"` settings for the learning chapter.
    public var learningRate: Double? = nil
    public var steps: Int? = nil

    public init(modelPath: String = "Models/seed.json", outputPath: String = "Site", templatesPath: String = "Templates",
                text: String? = nil, target: String? = nil, learningRate: Double? = nil, steps: Int? = nil) {
        self.learningRate = learningRate
        self.steps = steps
        self.modelPath = modelPath
        self.outputPath = outputPath
        self.templatesPath = templatesPath
        self.text = text
        self.target = target
    }
}

/// What a build did.
public struct BuildReport: Sendable {
    public var pageCount: Int
    public var fileCount: Int
    public var totalBytes: Int
    public var prediction: String
    public var target: String?
    public var loss: Double?
    public var steps: [(name: String, seconds: Double)]
    public var seconds: Double
}

/// The build as an ordered list of named steps, each timed:
/// read model ∥ load templates → forward pass → (backward + training → trace.json → learning
/// pages) ∥ forward-pass pages → check → write.
/// Steps marked ∥ run side by side (the machine's cores are otherwise idle while one thread
/// trains or writes JSON); every page is checked by libxml2 on the thread that rendered it,
/// and the links between pages once all are known.
public enum SiteBuild {
    /// Builds the site in memory (site-relative path → bytes) without writing it.
    public static func render(_ options: BuildOptions, log: (String) -> Void = { _ in }) throws(BuildFailure) -> (files: [String: [UInt8]], report: BuildReport) {
        let start = DispatchTime.now()
        var steps: [(String, Double)] = []
        func record(_ name: String, _ seconds: Double, beside other: String? = nil) {
            steps.append((name, seconds))
            log(stepLine(name, seconds) + (other.map { "   ∥ " + $0 } ?? ""))
        }
        func step<T>(_ name: String, _ body: () throws(BuildFailure) -> T) throws(BuildFailure) -> T {
            let timed = Timed(body)
            record(name, timed.seconds)
            return try timed.result.get()
        }

        // The model file and the templates (each parsed on its own), side by side; both are
        // checked, so one run reports the problems of both.
        let inputStart = DispatchTime.now()
        let folder = Timed { () throws(BuildFailure) in try TemplateSet.TemplateFolder.read(directory: options.templatesPath) }
        let templateFiles = (try? folder.result.get())?.templates ?? []
        var inputs = Parallel.map(templateFiles.count + 1) { k -> Input in
            k == 0 ? .model(Timed { () throws(BuildFailure) in try loadModel(options) })
                   : .template(TemplateSet.compile(templateFiles[k - 1]))
        }
        guard case .model(let modelRun) = inputs.removeFirst() else {
            throw BuildFailure(Diagnostic(file: options.modelPath, message: "internal error: inputs out of order"))
        }
        let templatesRun = Timed { () throws(BuildFailure) in
            try TemplateSet.assemble(try folder.result.get(), compiled: inputs.compactMap(\.template))
        }
        record("read model", modelRun.seconds, beside: "load templates")
        record("load templates", seconds(since: inputStart), beside: "read model")
        guard case .success(let templates) = templatesRun.result, case .success(let loaded) = modelRun.result else {
            throw BuildFailure(templatesRun.problems + modelRun.problems)
        }
        let trace = try step("forward pass") { () throws(BuildFailure) in Transformer.forward(loaded.model) }
        let training = try trainingSettings(options, model: loaded.model)

        // One core runs the learning chapter (training, then trace.json and the pages that show
        // its numbers) while the forward-pass pages render on the others; it joins them after.
        let forwardData = SiteData(loaded: loaded, trace: trace, displayPath: options.modelPath, learning: nil)
        let forwardRenderer = SiteRenderer(data: forwardData, templates: templates)
        let forwardJobs = forwardRenderer.jobs { !$0.needsLearning }
        let pagesStart = DispatchTime.now()
        var outputs = Parallel.map(forwardJobs.count + 1) { k -> Output in
            guard k == 0 else { return .page(Timed { () throws(BuildFailure) in try forwardRenderer.render(forwardJobs[k - 1]) }) }
            let learningRun = Timed { () throws(BuildFailure) in learning(loaded.model, trace: trace, rate: training.rate, steps: training.steps) }
            guard case .success(let learned) = learningRun.result else { return .chapter(LearningChapter(learning: learningRun)) }
            let renderer = SiteRenderer(data: forwardData.adding(learned), templates: templates)
            let traceRun = Timed { () throws(BuildFailure) in traceJSON(trace, model: loaded.model, learning: learned) }
            let pagesStart = DispatchTime.now()
            let pages = renderer.jobs { $0.needsLearning }.map { job in Timed { () throws(BuildFailure) in try renderer.render(job) } }
            return .chapter(LearningChapter(learning: learningRun, trace: traceRun, pages: pages, pagesSeconds: seconds(since: pagesStart)))
        }
        let pagesSeconds = seconds(since: pagesStart)
        guard case .chapter(let chapter) = outputs.removeFirst() else {
            throw BuildFailure(Diagnostic(file: options.modelPath, message: "internal error: the learning chapter is missing"))
        }
        record("backward + training", chapter.learning.seconds, beside: "render pages")
        _ = try chapter.learning.result.get()
        guard let traceRun = chapter.trace else {
            throw BuildFailure(Diagnostic(file: options.modelPath, message: "internal error: trace.json is missing"))
        }
        record("trace.json", traceRun.seconds, beside: "render pages")
        record("learning pages", chapter.pagesSeconds, beside: "render pages")
        record("render pages", pagesSeconds, beside: "the three above")

        // Pages in stage-map order (the learning chapter's last); the first problem in that
        // order is the one reported.
        var files: [String: [UInt8]] = [:]
        var scanned: [String: SiteChecker.ScannedPage] = [:]
        for timed in outputs.compactMap(\.page) + chapter.pages {
            let page = try timed.result.get()
            files[page.path] = page.bytes
            scanned[page.path] = page.scan
        }
        for (name, bytes) in templates.assets { files[name] = bytes }
        files["model.json"] = loaded.bytes
        files["trace.json"] = try traceRun.result.get()
        let pageCount = files.keys.filter { $0.hasSuffix(".html") }.count
        try step("check pages") { () throws(BuildFailure) in
            let prefix = options.outputPath.hasSuffix("/") ? options.outputPath : options.outputPath + "/"
            let diagnostics = SiteChecker.check(files: files, scanned: scanned, displayPrefix: prefix)
            if !diagnostics.isEmpty { throw BuildFailure(diagnostics) }
        }
        files[SiteWriter.markerName] = Array(SiteWriter.markerText.utf8)
        let report = BuildReport(pageCount: pageCount, fileCount: files.count, totalBytes: files.values.reduce(0) { $0 + $1.count },
                                 prediction: trace.prediction, target: trace.target, loss: trace.loss, steps: steps,
                                 seconds: seconds(since: start))
        return (files, report)
    }

    /// What the first parallel step reads.
    enum Input {
        case model(Timed<LoadedModel>)
        case template(TemplateSet.CompiledTemplate)

        var template: TemplateSet.CompiledTemplate? {
            if case .template(let compiled) = self { return compiled }
            return nil
        }
    }

    /// What the page step gives: a forward-pass page, or the whole learning chapter.
    enum Output {
        case page(Timed<SiteRenderer.RenderedPage>)
        case chapter(LearningChapter)

        var page: Timed<SiteRenderer.RenderedPage>? {
            if case .page(let timed) = self { return timed }
            return nil
        }
    }

    /// The training run, and (when it succeeded) trace.json and the pages that show its numbers.
    struct LearningChapter {
        var learning: Timed<SiteData.Learning?>
        var trace: Timed<[UInt8]>? = nil
        var pages: [Timed<SiteRenderer.RenderedPage>] = []
        var pagesSeconds = 0.0
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// The model file, with the prompt and target the options override.
    static func loadModel(_ options: BuildOptions) throws(BuildFailure) -> LoadedModel {
        do throws(Diagnostic) {
            var loaded = try ModelLoader.load(path: options.modelPath)
            if options.text != nil || options.target != nil {
                let builder = PromptBuilder(model: loaded.model, file: options.modelPath)
                let text = options.text ?? loaded.model.prompt.text
                // A new text drops the file's target unless one is given.
                let target = options.target ?? (options.text == nil ? loaded.model.prompt.target : nil)
                loaded.model.prompt = try builder.make(
                    text: text, target: target,
                    textSource: (options.text == nil ? "prompt.text" : "--text", nil, nil),
                    targetSource: (options.target == nil ? "prompt.target" : "--target", nil, nil))
            }
            return loaded
        } catch {
            throw BuildFailure(error)
        }
    }

    /// The learning rate and step count: the options', else the model file's, else the defaults
    /// (the default step count shrinks with the model's size: `TrainingConfig.defaultSteps`).
    static func trainingSettings(_ options: BuildOptions, model: Model) throws(BuildFailure) -> (rate: Double, steps: Int) {
        let config = model.training ?? .default
        let rate = options.learningRate ?? config.learningRate
        let steps = options.steps ?? model.training?.steps
            ?? TrainingConfig.defaultSteps(model.config, tokens: model.prompt.ids.count, vocabSize: model.vocab.count)
        guard rate.isFinite, rate > 0 else {
            throw BuildFailure(Diagnostic(file: options.modelPath, message: "--learning-rate is \(rate), expected a number > 0"))
        }
        guard (1...TrainingConfig.maxSteps).contains(steps) else {
            throw BuildFailure(Diagnostic(file: options.modelPath, message: "--steps is \(steps), expected a whole number from 1 to \(TrainingConfig.maxSteps)"))
        }
        return (rate, steps)
    }

    /// The learning chapter's numbers: this pass's gradients, one step, and the training run
    /// (nil when the prompt has no target).
    static func learning(_ model: Model, trace: Trace, rate: Double, steps: Int) -> SiteData.Learning? {
        // The run starts from this pass's gradients, and its first step is the page's one step.
        guard let gradients = Backward.gradients(model, trace: trace),
              let run = TrainingRun.train(model, learningRate: rate, steps: steps, trace: trace, gradients: gradients),
              let first = run.firstStep else { return nil }
        return SiteData.Learning(gradients: gradients, learningRate: rate, stepped: first.model,
                                 steppedTrace: first.trace, run: run)
    }

    /// `trace.json`: the forward trace, then the gradients and the training run.
    static func traceJSON(_ trace: Trace, model: Model, learning: SiteData.Learning?) -> [UInt8] {
        var json = trace.json(model: model)
        if case .object(var members) = json {
            members.append(("grads", learning?.gradients.gradientsJSON() ?? .null))
            members.append(("training", learning?.run.json() ?? .null))
            json = .object(members)
        }
        return json.renderedBytes()
    }

    /// Builds and writes the site; on any error nothing is written and the previous site stays.
    @discardableResult
    public static func run(_ options: BuildOptions, log: (String) -> Void = { _ in }) throws(BuildFailure) -> BuildReport {
        _ = try SiteWriter.checkOutput(options.outputPath)
        var (files, report) = try render(options, log: log)
        files[SiteWriter.markerName] = nil
        let t0 = DispatchTime.now()
        try SiteWriter.write(files, to: options.outputPath)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
        log(stepLine("write site", seconds))
        report.steps.append(("write site", seconds))
        report.seconds += seconds
        return report
    }
}

/// `render pages           12.3 ms`
func stepLine(_ name: String, _ seconds: Double) -> String {
    name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "%8.1f ms", seconds * 1000)
}
