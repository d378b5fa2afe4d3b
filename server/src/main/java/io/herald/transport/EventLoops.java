package io.herald.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.TimeUnit;

/** The acceptor and worker loops: native epoll on Linux, NIO elsewhere. No per-connection threads. */
public record EventLoops(EventLoopGroup acceptor, EventLoopGroup workers, Class<? extends ServerChannel> serverChannel,
                         String transportName) {

    public static EventLoops create(int workerThreads) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new EventLoops(new MultiThreadIoEventLoopGroup(1, io), new MultiThreadIoEventLoopGroup(workerThreads, io),
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class, epoll ? "epoll" : "nio");
    }

    public void shutdown() {
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
