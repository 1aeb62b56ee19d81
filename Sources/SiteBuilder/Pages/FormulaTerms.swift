import TransformerEngine

/// The terms a formula box shows only when the model holds the parameter, so that every formula
/// says what was computed: " + b_q" for a bias, " · γᵢ" and " + βᵢ" for a LayerNorm's scale and
/// shift (a model without them computes the plain normalisation).
enum FormulaTerms {
    /// " + name" when the model has this bias, else "".
    static func bias(_ b: [Double]?, _ name: String) -> String { b == nil ? "" : " + \(name)" }

    /// " · γᵢ + βᵢ", either part only when the model holds it.
    static func layerNormScaleShift(_ p: LayerNormParameters) -> String {
        (p.gamma == nil ? "" : " · γᵢ") + (p.beta == nil ? "" : " + βᵢ")
    }
}
