import Filters
import NIOCore

/// Lets connections read up to 128 KiB at a time instead of NIO's default 64 KiB: an upload
/// then takes half the reads, wake-ups and hand-offs to the request's task. Measured on a 1 GiB
/// upload (docs/PERFORMANCE.md): 128 KiB gave the best speed for the memory; 192 and 256 KiB
/// were no faster and raised peak RSS by 10 MiB.
final class ReadBufferSize: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = Never
    static let maximum = 128 << 10

    func handlerAdded(context: ChannelHandlerContext) {
        let allocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 16 << 10, maximum: ReadBufferSize.maximum)
        _ = context.channel.setOption(ChannelOptions.recvAllocator, value: allocator)
    }
}
