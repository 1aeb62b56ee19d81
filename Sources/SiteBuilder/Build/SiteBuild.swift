import Foundation
import PageValidation
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
/// load templates → read model → forward pass → render pages → validate → write.
public enum SiteBuild {
    /// Builds the site in memory (site-relative path → bytes) without writing it.
    public static func render(_ options: BuildOptions, log: (String) -> Void = { _ in }) throws(BuildFailure) -> (files: [String: [UInt8]], report: BuildReport) {
        let start = DispatchTime.now()
        var steps: [(String, Double)] = []
        func step<T>(_ name: String, _ body: () throws(BuildFailure) -> T) throws(BuildFailure) -> T {
            let t0 = DispatchTime.now()
            let result = try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
            steps.append((name, seconds))
            log(stepLine(name, seconds))
            return result
        }

        let templates = try step("load templates") { () throws(BuildFailure) in try TemplateSet.load(directory: options.templatesPath) }
        let loaded = try step("read model") { () throws(BuildFailure) -> LoadedModel in
            do throws(ModelError) {
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
                throw BuildFailure(BuildProblem(error))
            }
        }
        let trace = try step("forward pass") { () throws(BuildFailure) in Transformer.forward(loaded.model) }
        let learning = try step("backward + training") { () throws(BuildFailure) -> SiteData.Learning? in
            let config = loaded.model.training ?? .default
            let rate = options.learningRate ?? config.learningRate
            let steps = options.steps ?? config.steps
            guard rate.isFinite, rate > 0 else {
                throw BuildFailure(BuildProblem(file: options.modelPath, message: "--learning-rate is \(rate), expected a number > 0"))
            }
            guard (1...TrainingConfig.maxSteps).contains(steps) else {
                throw BuildFailure(BuildProblem(file: options.modelPath, message: "--steps is \(steps), expected a whole number from 1 to \(TrainingConfig.maxSteps)"))
            }
            guard let gradients = Backward.gradients(loaded.model, trace: trace),
                  let run = TrainingRun.train(loaded.model, learningRate: rate, steps: steps) else { return nil }
            let stepped = loaded.model.applying(gradients, learningRate: rate)
            return SiteData.Learning(gradients: gradients, learningRate: rate, stepped: stepped,
                                     steppedTrace: Transformer.forward(stepped), run: run)
        }
        let data = SiteData(loaded: loaded, trace: trace, displayPath: options.modelPath, learning: learning)
        var files = try step("render pages") { () throws(BuildFailure) -> [String: [UInt8]] in
            var files = try SiteRenderer(data: data, templates: templates).renderPages()
            for (name, bytes) in templates.assets { files[name] = bytes }
            files["model.json"] = loaded.bytes
            var traceJSON = trace.json(model: loaded.model)
            if case .object(var members) = traceJSON {
                members.append(("grads", learning?.gradients.gradientsJSON() ?? .null))
                members.append(("training", learning?.run.json() ?? .null))
                traceJSON = .object(members)
            }
            files["trace.json"] = Array(traceJSON.rendered().utf8)
            return files
        }
        let pageCount = files.keys.filter { $0.hasSuffix(".html") }.count
        try step("validate pages") { () throws(BuildFailure) in
            let prefix = options.outputPath.hasSuffix("/") ? options.outputPath : options.outputPath + "/"
            let diagnostics = SiteChecker.check(files: files, displayPrefix: prefix)
            if !diagnostics.isEmpty { throw BuildFailure(diagnostics.map(BuildProblem.init)) }
        }
        files[SiteWriter.markerName] = Array(SiteWriter.markerText.utf8)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let report = BuildReport(pageCount: pageCount, fileCount: files.count, totalBytes: files.values.reduce(0) { $0 + $1.count },
                                 prediction: trace.prediction, target: trace.target, loss: trace.loss, steps: steps, seconds: seconds)
        return (files, report)
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
    name.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%8.1f ms", seconds * 1000)
}
