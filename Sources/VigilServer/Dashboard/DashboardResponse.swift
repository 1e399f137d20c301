import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The responses the dashboard, its assets and badges send, with their content types and cache headers.
enum DashboardResponse {
    /// A page: private to whoever may see the dashboard, so never stored by caches.
    static func page(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .cacheControl: "no-store",
                // Pages embed nothing from elsewhere; this keeps it that way even if escaping were ever missed.
                .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                    + "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                .xContentTypeOptions: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "same-origin",
            ],
            body: .init(byteBuffer: ByteBuffer(string: "<!doctype html>\n" + html.markup))
        )
    }

    /// A body with a strong `ETag`; answers `304 Not Modified` when the client already holds it.
    static func cached(
        _ text: String,
        contentType: String,
        cacheControl: String,
        request: Request
    ) -> Response {
        let tag = "\"\(etag(of: text))\""
        var headers: HTTPFields = [
            .contentType: contentType,
            .cacheControl: cacheControl,
            .eTag: tag,
            .xContentTypeOptions: "nosniff",
        ]
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag })
        {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The first 16 hex digits of the text's SHA-256: names versioned asset URLs and validates caches.
    static func etag(of text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
