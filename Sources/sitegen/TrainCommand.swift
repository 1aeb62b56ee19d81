import ArgumentParser
import Checkpoints
import Diagnostics
import FoundationEssentials
import Training
import Glibc
import SiteBuilder

extension TrainedTokenizer.Kind: ExpressibleByArgument {}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a small GPT-2 on a text file and write it as a Hugging Face GPT-2 checkpoint.",
        discussion: """
        Writes DIR/config.json, DIR/model.safetensors (F32, tied embeddings), DIR/tokenizer.json \
        and DIR/training.json (the options and the loss curve). The checkpoint is rewritten \
        atomically every --checkpoint-every steps and at the end, so `sitegen --watch --model DIR` \
        can follow it. Ctrl-C stops after the step in progress and writes a last whole checkpoint.

        AdamW (β₁ 0.9, β₂ 0.95, ε 1e-8, weight decay 0.1 on matrices), gradients clipped to norm \
        1.0, linear warmup for min(100, steps/10) steps then cosine decay to a tenth of the rate; \
        batches of random windows of context + 1 tokens from SplitMix64 seeded with --seed + 1. \
        The same corpus, options and seed give the same model.safetensors, byte for byte.
        """
    )

    @Argument(help: ArgumentHelp("The UTF-8 text to train on.", valueName: "corpus.txt"))
    var corpus: String

    @Option(name: .long, help: ArgumentHelp("Where to write the checkpoint: a new or empty folder, or one sitegen train made.", valueName: "dir"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("bpe (byte-level BPE, GPT-2 style), words (WordLevel) or chars.", valueName: "kind"))
    var tokenizer: TrainedTokenizer.Kind = .bpe

    @Option(name: .long, help: ArgumentHelp("The BPE vocabulary size, at least 256 (fewer when the corpus runs out of pairs).", valueName: "n"))
    var vocabSize = 512

    @Option(name: .long, help: ArgumentHelp("Embedding width n_embd.", valueName: "n"))
    var dModel = 64

    @Option(name: .long, help: ArgumentHelp("Transformer blocks.", valueName: "n"))
    var layers = 2

    @Option(name: .long, help: ArgumentHelp("Attention heads (must divide --d-model).", valueName: "n"))
    var heads = 4

    @Option(name: .long, help: ArgumentHelp("Context length (n_positions) in tokens.", valueName: "n"))
    var context = 64

    @Option(name: .long, help: ArgumentHelp("Optimiser steps.", valueName: "n"))
    var steps = 2000

    @Option(name: .long, help: ArgumentHelp("Windows per batch.", valueName: "n"))
    var batch = 16

    @Option(name: .long, help: ArgumentHelp("Peak learning rate.", valueName: "η"))
    var learningRate = 3e-3

    @Option(name: .long, help: ArgumentHelp("Seed for the initial weights and the batches.", valueName: "n"))
    var seed: UInt64 = 0

    @Option(name: .long, help: ArgumentHelp("Fraction of the corpus (its last tokens) held out for validation.", valueName: "f"))
    var valFraction = 0.1

    @Option(name: .long, help: ArgumentHelp("Write the checkpoint every n steps (0: only at the start and the end).", valueName: "n"))
    var checkpointEvery = 200

    @Flag(name: .long, help: "Print only errors.")
    var quiet = false

    func run() throws {
        var options = TrainingOptions()
        (options.tokenizer, options.vocabSize, options.dModel, options.layers, options.heads) = (tokenizer, vocabSize, dModel, layers, heads)
        (options.context, options.steps, options.batch, options.learningRate) = (context, steps, batch, learningRate)
        (options.seed, options.valFraction, options.checkpointEvery) = (seed, valFraction, checkpointEvery)
        let trainer: Trainer
        do {
            trainer = try Trainer(corpus: corpus, options: options, output: output)
        } catch {
            Console.error("\(error)")
            throw ExitCode.failure
        }
        let display = ProgressDisplay(quiet: quiet)
        display.line("Training on \(corpus): \(trainer.windows.train.count) tokens (\(tokenizer.rawValue), vocabulary \(trainer.tokenizer.vocabularySize)), \(trainer.windows.validation.count) held out; \(output)/", final: true)
        let stop = StopSignal.install()
        let summary: Trainer.Summary
        do {
            summary = try trainer.run(output: output, shouldStop: { stop.isSet }, progress: display.show)
        } catch {
            display.finish()
            Console.error("\(error)")
            throw ExitCode.failure
        }
        display.finish()
        let last = summary.log.last
        let val = last?.validationLoss.map { NumberFormat.fixed($0, decimals: 4) } ?? "—"
        let entropy = summary.validationUnigramEntropy.map { NumberFormat.fixed($0, decimals: 4) } ?? "—"
        display.line("\(summary.stopped ? "Stopped" : "Done") at step \(summary.stepsDone)/\(steps): validation loss \(val) nats (unigram entropy of the held-out text \(entropy)) → \(output)/", final: true)
    }
}

/// Progress on stderr: one line rewritten in place on a terminal, plain lines (the logged
/// steps only) when piped.
final class ProgressDisplay: @unchecked Sendable {
    let quiet: Bool
    let isTerminal = isatty(2) != 0
    private var lineOpen = false

    init(quiet: Bool) { self.quiet = quiet }

    func show(_ p: Trainer.Progress) {
        guard !quiet, isTerminal || p.isLogged else { return }
        let eta = p.step > 0 ? p.elapsed / Double(p.step) * Double(p.steps - p.step) : 0
        var text = "step \(p.step)/\(p.steps)  loss \(NumberFormat.fixed(p.trainLoss, decimals: 4))"
        if let v = p.validationLoss { text += "  val \(NumberFormat.fixed(v, decimals: 4))" }
        let rate = NumberFormat.scientific(p.learningRate, places: 2)
        text += "  lr \(rate)  \(Int(p.tokensPerSecond.rounded())) tok/s  \(Self.clock(p.elapsed)) elapsed, ETA \(Self.clock(eta))"
        line(text, final: !isTerminal)
    }

    func line(_ text: String, final: Bool) {
        guard !quiet else { return }
        if isTerminal {
            Console.write("\r\u{1B}[K" + TerminalText.escaped(text) + (final ? "\n" : ""), to: .error)
            lineOpen = !final
        } else {
            Console.write(TerminalText.escaped(text) + "\n", to: .error)
        }
    }

    func finish() {
        if lineOpen { Console.write("\n", to: .error); lineOpen = false }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return s >= 3600 ? "\(s / 3600):\(twoDigits(s / 60 % 60)):\(twoDigits(s % 60))" : "\(s / 60):\(twoDigits(s % 60))"
    }
}
