import TransformerEngine

/// The terms a formula box shows only when the model holds the parameter, so that every formula
/// says what was computed: " + b_q" for a bias, " · γᵢ" and " + βᵢ" for a LayerNorm's scale and
/// shift (a model without them computes the plain normalisation).
enum FormulaTerms {
    /// " + name" when the model has this bias, else "".
    static func bias(_ b: [Double]?, _ name: String) -> String { b == nil ? "" : " + \(name)" }

    /// The biases of a sentence about several products, in words: " plus its bias" when the
    /// model holds every one, " (plus b_q and b_v)" when only some, "" when none.
    static func biasWords(_ biases: [(name: String, values: [Double]?)]) -> String {
        let held = biases.filter { $0.values != nil }.map(\.name)
        if held.isEmpty { return "" }
        if held.count == biases.count { return " plus its bias" }
        return " (plus " + (held.count == 1 ? held[0] : held.dropLast().joined(separator: ", ") + " and " + held[held.count - 1]) + ")"
    }

    /// " · γᵢ + βᵢ", either part only when the model holds it.
    static func layerNormScaleShift(_ p: LayerNormParameters) -> String {
        (p.gamma == nil ? "" : " · γᵢ") + (p.beta == nil ? "" : " + βᵢ")
    }
}
