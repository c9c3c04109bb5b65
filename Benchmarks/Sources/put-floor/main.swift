// What one small PUT costs the uploader's process, by HTTP client (issue 19): 8 tasks send N
// (20,000) PUTs of 10 KiB to a blackhole S3 (../shared/bench/s3-sink.sh) and it prints req/s and
// the process's CPU per request. `ahc-async`: AsyncHTTPClient as S3Client calls it;
// `ahc-future`: its older future-based API; `nio`: NIO's HTTP/1 client pipeline and one handler
// on a connection per task, no client machinery: what any client must cost at least.
// usage: put-floor ahc-async|ahc-future|nio PORT [N]
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

let args = CommandLine.arguments
let mode = args[1], port = Int(args[2])!, total = args.count > 3 ? Int(args[3])! : 20000
let body = ByteBuffer(repeating: 0x61, count: 10 << 10)
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let url = "http://127.0.0.1:\(port)/bucket/key"

final class AnswerHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    var promise: EventLoopPromise<Int>?
    var status = 0
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body: break
        case .end: let p = promise; promise = nil; p?.succeed(status)
        }
    }
}

func cpu() -> Double {
    var usage = rusage(); getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: {
    var c = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(60)))
    c.tracing.tracer = nil
    return c
}())

func one(_ connection: (Channel, AnswerHandler)?) async throws {
    switch mode {
    case "ahc-async":
        var request = HTTPClientRequest(url: url)
        request.method = .PUT
        request.headers.add(name: "x-amz-date", value: "20261207T000000Z")
        request.headers.add(name: "authorization", value: "AWS4-HMAC-SHA256 Credential=x")
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .hours(1))
        _ = try await response.body.collect(upTo: 1 << 20)
        precondition(response.status == .ok)
    case "ahc-future":
        var request = try HTTPClient.Request(url: url, method: .PUT)
        request.headers.add(name: "x-amz-date", value: "20261207T000000Z")
        request.headers.add(name: "authorization", value: "AWS4-HMAC-SHA256 Credential=x")
        request.body = .byteBuffer(body)
        let response = try await client.execute(request: request).get()
        precondition(response.status == .ok)
    default:
        let (channel, handler) = connection!
        let status = try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Int> in
            let promise = channel.eventLoop.makePromise(of: Int.self)
            handler.promise = promise
            var headers = HTTPHeaders()
            headers.add(name: "host", value: "127.0.0.1")
            headers.add(name: "content-length", value: "\(body.readableBytes)")
            headers.add(name: "x-amz-date", value: "20261207T000000Z")
            headers.add(name: "authorization", value: "AWS4-HMAC-SHA256 Credential=x")
            channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .PUT, uri: "/bucket/key", headers: headers)), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return promise.futureResult
        }.get()
        precondition(status == 200)
    }
}

func connect() async throws -> (Channel, AnswerHandler) {
    let handler = AnswerHandler()
    let channel = try await ClientBootstrap(group: group).channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.pipeline.syncOperations.addHandler(handler)
        }
    }.connect(host: "127.0.0.1", port: port).get()
    return (channel, handler)
}

for _ in 0..<200 { try await one(mode == "nio" ? try await connect() : nil) }
let start = Date(), cpuStart = cpu()
try await withThrowingTaskGroup(of: Void.self) { tasks in
    for _ in 0..<8 {
        tasks.addTask {
            let connection = mode == "nio" ? try await connect() : nil
            for _ in 0..<(total / 8) { try await one(connection) }
        }
    }
    try await tasks.waitForAll()
}
let wall = Date().timeIntervalSince(start), used = cpu() - cpuStart
print(String(format: "%@: %.0f req/s, CPU %.1f us per request", mode, Double(total) / wall, used / Double(total) * 1e6))
try await client.shutdown()
