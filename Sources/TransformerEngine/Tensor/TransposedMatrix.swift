/// A matrix M [rows][cols] held as its transpose [cols][rows]: W_lm [d_model][vocab] as a
/// checkpoint stores it, one row of d_model numbers per word (GPT-2's lm_head, tied to wte),
/// so a 768 × 50,257 W_lm needs no transposed copy. M[i, j] is `transpose[j, i]`; the
/// products read the transpose in place (`matmul(a, transposed:)` is a·M, bit for bit).
public struct TransposedMatrix: Sendable, Equatable {
    /// Mᵀ [cols][rows], as stored.
    public var transpose: Tensor

    /// M held as its transpose `transpose`, taken as it is.
    public init(transpose: Tensor) { self.transpose = transpose }

    /// M itself, transposed once for storage (a small model file's W_lm is [d_model][vocab]).
    public init(_ matrix: Tensor) { transpose = matrix.T }

    @inlinable public var rows: Int { transpose.cols }
    @inlinable public var cols: Int { transpose.rows }
    public var shape: [Int] { [rows, cols] }

    @inlinable public subscript(i: Int, j: Int) -> Double { transpose[j, i] }

    /// M as a tensor [rows][cols] (a copy: for a small model's file).
    public var matrix: Tensor { transpose.T }
}
