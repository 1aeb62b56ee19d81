import FoundationEssentials
import Glibc

/// Why a file operation failed, as the system words it ("No such file or directory"): the
/// errno a Foundation error carries, else the error as Swift describes it.
public func systemReason(for error: any Error) -> String {
    let posix = (error as? CocoaError)?.underlying as? POSIXError ?? error as? POSIXError
    guard let posix else { return "\(error)" }
    return String(cString: strerror(posix.code.rawValue))
}
