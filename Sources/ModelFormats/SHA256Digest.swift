import Crypto
import FoundationEssentials

/// SHA-256 in hex, for the model file's fingerprint on the overview page and a checkpoint's
/// files (read in pieces: `update` as often as needed, then `hexDigest`). swift-crypto's
/// SHA256 (BoringSSL's code, with the processor's SHA instructions where it has them): a
/// 0.5 GB checkpoint hashes in a fraction of a second.
public struct SHA256Digest {
    private var hash = SHA256()

    public init() {}

    /// The digest of `message`, in hex.
    public static func hex(_ message: some DataProtocol) -> String {
        var digest = SHA256Digest()
        digest.update(message)
        return digest.hexDigest()
    }

    /// Hashes the next bytes of the message.
    public mutating func update(_ bytes: some DataProtocol) {
        hash.update(data: bytes)
    }

    /// The digest of every byte given, in hex.
    public func hexDigest() -> String {
        let digits = Array("0123456789abcdef")
        return String(hash.finalize().flatMap { byte in [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] })
    }
}
