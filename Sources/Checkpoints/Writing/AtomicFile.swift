import FoundationEssentials
import Glibc
import Diagnostics

/// Writes files so that a reader never sees half of one: the bytes go to a temporary file in the
/// same folder (`.name.tmp-<pid>`), which is then renamed over the target. A rename within one
/// file system is atomic, so `sitegen --watch` reading the folder sees the old file or the new.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw CheckpointError(file: path, message: "cannot be written (rename from \(temporary.lastPathComponent) failed: \(reason))")
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError(file: path, message: "cannot be written (\(systemReason(for: error)))")
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
