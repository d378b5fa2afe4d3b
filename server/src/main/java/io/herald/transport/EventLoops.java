package io.herald.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;
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

    /**
     * One loop of its own for a part that does network I/O off the workers (webhooks), with the
     * client socket type that goes with it.
     */
    public record Single(EventLoopGroup group, Class<? extends Channel> socketChannel) {
        public EventLoop loop() {
            return group.next();
        }

        public void shutdown() {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    public static Single single(String threadName) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        ThreadFactory threads = runnable -> {
            Thread thread = new FastThreadLocalThread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        };
        return new Single(new MultiThreadIoEventLoopGroup(1, threads, io),
                epoll ? EpollSocketChannel.class : NioSocketChannel.class);
    }

    public void shutdown() {
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
