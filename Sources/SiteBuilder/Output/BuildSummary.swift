extension BuildReport {
    /// The line a build ends with: `Built 35 pages (538 KB) in 167 ms → Site/  (predicts “cat”,
    /// target “mat”, loss 1.8313)`. The loss is formatted like the site's numbers, so a run that
    /// diverged shows `loss NaN` or `loss 2.5044e+306`, not `-nan` or 310 digits.
    public func summaryLine(output: String) -> String {
        let kb = (totalBytes + 1023) / 1024
        let verdict = target.map { target in
            "predicts “\(prediction)”, target “\(target)”, loss \(loss.map { NumberFormat.short($0, decimals: 4) } ?? "none")"
        } ?? "predicts “\(prediction)”"
        return "Built \(pageCount) pages (\(kb) KB) in \(Int((seconds * 1000).rounded())) ms → \(output)/  (\(verdict))"
    }
}
