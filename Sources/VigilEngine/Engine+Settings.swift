import Foundation

// What the server's compatibility APIs need to know of the engine's settings, read-only.
extension Engine {
    /// The start of every public URL, e.g. `http://127.0.0.1:8080`: `base_url:` or the listen address.
    public var baseURL: String { settings.baseURL }

    /// The configured `notify:` entries, in file order: where every monitor's notices go.
    public var notifyTargets: [NotifyTarget] { settings.notify }
}
