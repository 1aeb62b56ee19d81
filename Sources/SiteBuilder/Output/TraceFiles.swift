import ModelFormats
import TransformerEngine

/// The site's trace: `trace.json` with every intermediate inline while it stays under
/// `inlineLimit` bytes (20 MB), else split (the README's "The trace at scale"):
///
/// - `trace.json` keeps `tokens`, `ids`, `embeddings`, `final`, `prediction`,
///   `prediction_id`, `target`, `loss`, the last position's `last_logits` and `last_probs`,
///   `training` and `generation`, with `"layout": "split"` first; its `layers` names the
///   layer files, `trace/layer-00.json` …;
/// - each layer file holds what cannot be recomputed exactly of that layer's intermediates
///   (`Trace.splitLayerJSON`: the README gives the recipe for the rest), and under `grads`
///   its gradients, each number once (`Gradients.splitLayerJSON`): the attention's [T][T]
///   ones in full, the weights' and the other intermediates' summarised;
/// - the generation's sampled steps keep their 20 most likely tokens (`Generation.json`);
/// - every weight gradient of more than `fullVectorLimit` numbers is summarised, not written
///   in full: its shape, its norm √Σg², its largest entries by magnitude and a pooled view
///   (`GradientSummary`). The top-level `grads` holds tok_emb, pos_emb, W_lm and b_lm so, and
///   names the layer files in its `layers`.
enum TraceFiles {
    static let inlineLimit = 20_000_000

    /// Site-relative path → bytes: `trace.json`, and the layer files when split.
    /// `digests` are the gradients' (`GradientDigests(forSite:)`), which a split trace's
    /// summaries are read from (without them each is made when written).
    static func files(_ trace: Trace, model: Model, gradients: Gradients?, digests: GradientDigests = GradientDigests(), run: TrainingRun?,
                      generation: Generation, inlineLimit: Int = inlineLimit) -> [String: [UInt8]] {
        // Every weight gradient and the logits and probabilities are in an inline trace, each
        // number at least 3 bytes with its separator: past the limit, it is not rendered at all.
        let weights = gradients == nil ? 0 : ParameterCount(model).gradients
        if (weights + 2 * trace.logits.values.count) * 3 <= inlineLimit {
            var json = trace.json(model: model)
            append(to: &json, [("grads", gradients?.gradientsJSON() ?? .null)], run: run, generation: generation, vocab: model.vocab)
            // (A GPT-2-sized forward pass alone is about 33 MB at the least: not rendered either.)
            if json.leastRenderedBytes <= inlineLimit {
                let bytes = json.renderedBytes()
                if bytes.count <= inlineLimit { return ["trace.json": bytes] }
            }
        }
        return split(trace, model: model, gradients: gradients, digests: digests, run: run, generation: generation)
    }

    /// `trace/layer-03.json`
    static func layerFile(_ layer: Int, of count: Int) -> String {
        let digits = max(2, String(count - 1).count)
        let number = String(layer)
        return "trace/layer-" + String(repeating: "0", count: max(0, digits - number.count)) + number + ".json"
    }

    static func split(_ trace: Trace, model: Model, gradients: Gradients?, digests: GradientDigests, run: TrainingRun?,
                      generation: Generation) -> [String: [UInt8]] {
        let count = trace.layers.count
        let names = JSONOut.array((0..<count).map { .string(layerFile($0, of: count)) })
        // The layer files on every core, beside the top level's gradients (tok_emb's and W_lm's
        // are each the size of the vocabulary) on a thread of their own.
        let (layerBytes, grads) = Parallel.both({
            Parallel.map(count) { l -> [UInt8] in
                var members: [(String, JSONOut)] = [("layer", .int(l))]
                if case .object(let forward) = Trace.splitLayerJSON(trace.layers[l]) { members += forward }
                members.append(("grads", gradients.map {
                    Gradients.splitLayerJSON($0.layers[l], weightMatrix: { name, g in
                        GradientSummary.json(digests.digest(GradientDigests.name(layer: l, name), of: g))
                    }, weightVector: GradientSummary.vector, intermediate: GradientSummary.matrix)
                } ?? .null))
                return JSONOut.object(members).renderedBytes()
            }
        }, beside: {
            gradients?.gradientsJSON(weightMatrix: { name, g in GradientSummary.json(digests.digest(name, of: g)) },
                                     weightVector: GradientSummary.vector, layers: names, split: true)
        })
        var files: [String: [UInt8]] = [:]
        for l in 0..<count { files[layerFile(l, of: count)] = layerBytes[l] }
        var json = trace.json(model: model, layers: names, lastPositionOnly: true)
        if case .object(let members) = json { json = .object([("layout", .string("split"))] + members) }
        append(to: &json, [("grads", grads ?? .null)], run: run, generation: generation, vocab: model.vocab,
               keptLimit: GradientSummary.largestCount)
        files["trace.json"] = json.renderedBytes()
        return files
    }

    /// The members after the forward pass's: the gradients, the training run, the continuations
    /// (each sampled step's kept tokens cut to `keptLimit` when given).
    static func append(to json: inout JSONOut, _ grads: [(String, JSONOut)], run: TrainingRun?,
                       generation: Generation, vocab: [String], keptLimit: Int? = nil) {
        guard case .object(var members) = json else { return }
        members += grads
        members.append(("training", run?.json() ?? .null))
        members.append(("generation", generation.json(vocab: vocab, keptLimit: keptLimit)))
        json = .object(members)
    }
}

/// A weight gradient too big to write in full, as a split trace writes it:
/// `{"shape": [768, 3072], "norm": 0.41, "largest": [[row, column, value], …], "pooled": {…}}`.
/// `largest` holds the `largestCount` entries of greatest magnitude, greatest first (ties: the
/// earlier entry in row-major order); `pooled` is the mean of each block of a grid of at most
/// `pooledSize` × `pooledSize` blocks (`HeatmapSVG.poolRanges`), with the block sizes. All of
/// it is the matrix's `GradientDigest`.
enum GradientSummary {
    static let largestCount = GradientDigest.largestCount
    static let pooledSize = 32
    /// Vectors up to this length are written in full.
    static let fullVectorLimit = 4_096

    static func matrix(_ t: Tensor) -> JSONOut { json(GradientDigest(t, pooledSizes: [pooledSize])) }

    static func vector(_ v: [Double]) -> JSONOut {
        v.count <= fullVectorLimit ? .numbers(v)
            : json(GradientDigest(Tensor(shape: [1, v.count], values: v), pooledSizes: [pooledSize]), shape: [v.count])
    }

    /// The summary of a digest; `shape` replaces the matrix's own (a vector's is [n]).
    static func json(_ digest: GradientDigest, shape: [Int]? = nil) -> JSONOut {
        let (rows, cols) = (digest.rows, digest.cols)
        return .object([
            ("shape", .array((shape ?? [rows, cols]).map(JSONOut.int))),
            ("norm", .number(digest.norm)),
            ("largest", .array(digest.largest.map { .array([.int($0.row), .int($0.column), .number($0.value)]) })),
            ("pooled", .object([
                ("block_rows", .int(HeatmapSVG.poolRanges(count: rows, maxSize: pooledSize).first?.count ?? 0)),
                ("block_columns", .int(HeatmapSVG.poolRanges(count: cols, maxSize: pooledSize).first?.count ?? 0)),
                ("mean", .array(digest.pooled(maxSize: pooledSize).map(JSONOut.numbers))),
            ])),
        ])
    }
}
