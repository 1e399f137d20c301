import Foundation
import HTTPTypes
import Hummingbird

/// Error responses written by Vigil itself, in the shapes its APIs promise.
enum ErrorBody {
    /// Vigil's API shape, the same as Hummingbird's `HTTPError`: `{"error": {"message": "..."}}`.
    static func response(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, ["error": ["message": message]])
    }

    /// The healthchecks.io shape: `{"error": "..."}`.
    static func healthchecks(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, ["error": message])
    }

    private static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
