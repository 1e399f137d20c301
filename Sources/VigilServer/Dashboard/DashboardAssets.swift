import Hummingbird

/// The stylesheet, script and icon, served by Vigil itself under `/assets/` (no CDN).
///
/// Pages link `/assets/NAME?v=HASH`; a request that names the current hash may be cached for a year, any other
/// must be revalidated, and every answer carries an `ETag`.
struct DashboardAssets: Sendable {
    struct Asset {
        var contentType: String
        var text: String
        var hash: String
    }

    static let files: [String: Asset] = {
        let contents: [String: (String, String)] = [
            "vigil.css": ("text/css; charset=utf-8", DashboardStyle.css),
            "vigil.js": ("text/javascript; charset=utf-8", DashboardScript.js),
            "favicon.svg": ("image/svg+xml", favicon),
        ]
        return contents.mapValues { type, text in
            Asset(contentType: type, text: text, hash: DashboardResponse.etag(of: text))
        }
    }()

    /// The versioned URL of an asset, which changes whenever its contents do.
    static func url(_ name: String) -> String {
        "/assets/\(name)?v=\(files[name]?.hash ?? "0")"
    }

    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/assets/{name}") { request, context in
            let name = try context.parameters.require("name")
            guard let asset = Self.files[name] else {
                throw HTTPError(.notFound, message: "no asset \(name): the dashboard has vigil.css, vigil.js and favicon.svg")
            }
            let versioned = request.uri.queryParameters["v"].map(String.init) == asset.hash
            return DashboardResponse.cached(
                asset.text, contentType: asset.contentType,
                cacheControl: versioned ? "public, max-age=31536000, immutable" : "no-cache", request: request)
        }
    }

    static let favicon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><circle cx="10" cy="10" r="8" fill="none" \
        stroke="#2f6fdb" stroke-width="2.5"/><path d="M5 10.5l3 3 7-7" fill="none" stroke="#2f6fdb" stroke-width="2.5" \
        stroke-linecap="round" stroke-linejoin="round"/></svg>
        """
}
