import Foundation
import VigilEngine
import VigilStore

/// The read-write key that `vigil serve` keeps in its data folder (mode 0600) for the CLI on the same machine, so
/// that `vigil status` works without setting up a key; whoever can read the folder can read the database anyway.
public enum LocalKey {
    /// The file's name in the data folder.
    public static let fileName = "api-key"

    /// The key file's path in a data folder.
    public static func path(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent(fileName)
    }

    /// Makes sure the folder holds a key that the store knows; writes a new one when it does not.
    static func ensure(in dataDirectory: String, store: any Store) async throws {
        let path = path(in: dataDirectory)
        if let existing = read(from: dataDirectory), try await store.apiKey(hash: APIKey.hash(existing)) != nil {
            return
        }
        let key = APIKey.generate()
        try await store.saveAPIKey(StoredAPIKey(
            id: UUID(), name: "local (\(fileName) in the data folder)", hash: APIKey.hash(key), readOnly: false,
            createdAt: Date()
        ))
        let created = FileManager.default.createFile(
            atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]
        )
        if !created { throw StoreError.unavailable("cannot write \(path)") }
    }

    /// The key in a data folder's key file, if there is one.
    public static func read(from dataDirectory: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(in: dataDirectory)),
            let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !text.isEmpty
        else { return nil }
        return text
    }
}

/// Bytes from the system's secure random source.
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}
