import CMemoryPolicy
import Checkpoints
import Diagnostics
import FoundationEssentials

/// A training run prepared from a corpus: every input checked, the tokenizer learnt and the
/// text split, before anything is written. `run` then trains and writes the folder.
public struct Trainer {
    public let options: TrainingOptions
    public let corpusPath: String
    public let tokenizer: TrainedTokenizer
    public let windows: TokenWindows
    public let config: GPT2Config

    /// What `run` reports while it trains.
    public struct Progress: Sendable {
        public var step: Int
        public var steps: Int
        public var trainLoss: Double
        public var validationLoss: Double?
        public var learningRate: Double
        public var tokensPerSecond: Double
        public var elapsed: Double
        /// True for the steps training.json logs (and a checkpoint step).
        public var isLogged: Bool
    }

    public struct Summary: Sendable {
        public var stepsDone: Int
        public var stopped: Bool
        public var log: [LoggedStep]
        public var validationUnigramEntropy: Double?
        public var parameters: GPT2Parameters
    }

    /// Checks the options and the corpus, learns the tokenizer and tokenises the text.
    public init(corpus corpusPath: String, options: TrainingOptions, output: String) throws(Diagnostic) {
        func option(_ name: String, _ message: String) -> Diagnostic { Diagnostic(file: "sitegen train", field: name, message: message) }
        for (name, value) in [("--d-model", options.dModel), ("--layers", options.layers), ("--heads", options.heads),
                              ("--context", options.context), ("--steps", options.steps), ("--batch", options.batch)] where value < 1 {
            throw option(name, "is \(value), expected a whole number ≥ 1")
        }
        guard options.dModel % options.heads == 0 else {
            throw option("--heads", "is \(options.heads), which does not divide --d-model \(options.dModel); expected a divisor of it (each head is d-model / heads wide)")
        }
        guard options.learningRate > 0, options.learningRate.isFinite else {
            throw option("--learning-rate", "is \(options.learningRate), expected a number > 0")
        }
        guard options.valFraction >= 0, options.valFraction < 1 else {
            throw option("--val-fraction", "is \(options.valFraction), expected a fraction from 0 up to (not including) 1")
        }
        guard options.checkpointEvery >= 0 else {
            throw option("--checkpoint-every", "is \(options.checkpointEvery), expected a whole number ≥ 0 (0: only at the end)")
        }
        if options.tokenizer == .bpe && options.vocabSize < TrainedTokenizer.byteCount {
            throw option("--vocab-size", "is \(options.vocabSize), expected at least \(TrainedTokenizer.byteCount): a byte-level BPE has one token for each of the 256 bytes before any merge")
        }
        try Self.checkOutput(output)

        let text = try CorpusText.read(corpusPath)
        let tokenizer: TrainedTokenizer
        do {
            tokenizer = try TrainedTokenizer.train(options.tokenizer, on: text, vocabSize: options.vocabSize)
        } catch {
            throw Diagnostic(file: corpusPath, message: "cannot be tokenised: \(error)")
        }
        let ids = tokenizer.tokenizer.encode(text)
        let windows = TokenWindows(ids: ids, valFraction: options.valFraction, context: options.context)
        guard windows.train.count >= options.context + 1 else {
            throw Diagnostic(file: corpusPath, message: "has \(ids.count) tokens (\(options.tokenizer.rawValue)), \(windows.train.count) of them for training after holding out --val-fraction \(options.valFraction); expected at least --context + 1 = \(options.context + 1) training tokens")
        }
        self.options = options
        self.corpusPath = corpusPath
        self.tokenizer = tokenizer
        self.windows = windows
        self.config = options.config(vocabularySize: tokenizer.vocabularySize)
    }

    /// The output folder must not exist, be empty, or be one sitegen train made.
    static func checkOutput(_ folder: String) throws(Diagnostic) {
        var isFolder = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else { return }
        guard isFolder else {
            throw Diagnostic(file: folder, message: "is a file, expected a folder for the checkpoint (new, empty, or made by sitegen train)")
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        guard contents.isEmpty || TrainingLog.isMadeBySitegen(folder) else {
            throw Diagnostic(file: folder, message: "is not empty and was not made by sitegen train (no training.json from it); expected a new or empty folder, or one sitegen train wrote")
        }
    }

    /// Trains, writing the checkpoint to `output` at step 0, every `checkpointEvery` steps and
    /// at the end (or when `shouldStop` turns true: the run stops after the step in progress).
    public func run(output: String, shouldStop: () -> Bool = { false },
                    progress: (Progress) -> Void = { _ in }) throws -> Summary {
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw Diagnostic(file: output, message: "cannot be created (\(systemReason(for: error)))")
        }
        sitegen_keep_freed_memory()
        var log = TrainingLog(corpus: corpusPath, options: options, trainTokens: windows.train.count,
                              validationTokens: windows.validation.count, vocabularySize: tokenizer.vocabularySize,
                              validationUnigramEntropy: TrainingLog.unigramEntropy(windows.validation))
        var parameters = GPT2Parameters.initialised(config, seed: options.seed)
        var optimiser = AdamW(for: parameters)
        var generator = SeededGenerator(seed: options.seed &+ 1)
        let schedule = LearningRateSchedule(peak: options.learningRate, steps: options.steps)
        let validation = windows.validationWindows
        let logEvery = max(1, options.steps / 50)
        // The validation loss (a forward pass of up to 16 held-out windows) at step 1, every
        // steps/10 steps, at each checkpoint and at the last step; the other logged steps have none.
        let validateEvery = max(1, options.steps / 10)

        func checkpoint() throws {
            try GPT2CheckpointWriter.writeWeights(parameters.namedTensors, config: config, folder: output)
            try AtomicFile.write(log.json, to: joinedPath(output, TrainingLog.fileName))
        }
        try GPT2CheckpointWriter.writeConfig(config, folder: output)
        try GPT2CheckpointWriter.writeTokenizer(tokenizer, folder: output)
        try checkpoint()

        let start = Date()
        var lastLog = (time: start, step: 0)
        var step = 0
        while step < options.steps && !shouldStop() {
            step += 1
            let batch = windows.batch(options.batch, using: &generator)
            var (loss, gradients) = SequenceLoss.batch(parameters, windows: batch)
            _ = clipGradients(&gradients, maxNorm: 1.0)
            let rate = schedule.rate(at: step)
            optimiser.update(&parameters, gradients: gradients, learningRate: rate)

            let now = Date()
            let isCheckpoint = step == options.steps || (options.checkpointEvery > 0 && step % options.checkpointEvery == 0)
            let isLogged = step % logEvery == 0 || isCheckpoint || step == 1 || shouldStop()
            let tokens = Double((step - lastLog.step) * options.batch * options.context)
            let rateNow = tokens / max(now.timeIntervalSince(lastLog.time), 1e-9)
            var validationLoss: Double?
            if isLogged {
                let isValidated = step == 1 || step % validateEvery == 0 || isCheckpoint || shouldStop()
                validationLoss = validation.isEmpty || !isValidated ? nil : SequenceLoss.loss(parameters, windows: validation)
                log.steps.append(LoggedStep(step: step, trainLoss: loss, validationLoss: validationLoss,
                                            learningRate: rate, tokensPerSecond: rateNow))
                lastLog = (Date(), step)
            }
            log.stepsDone = step
            if isCheckpoint { try checkpoint() }
            progress(Progress(step: step, steps: options.steps, trainLoss: loss, validationLoss: validationLoss,
                              learningRate: rate, tokensPerSecond: rateNow, elapsed: now.timeIntervalSince(start),
                              isLogged: isLogged))
        }
        if step < options.steps {
            log.stopped = true
            try checkpoint()
        }
        return Summary(stepsDone: step, stopped: step < options.steps, log: log.steps,
                       validationUnigramEntropy: log.validationUnigramEntropy, parameters: parameters)
    }
}
