package io.kloop.inference.bench;

import io.kloop.model.OnnxClassifier;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control the service is measured against: a bare Netty HTTP server wrapping the same ONNX Runtime
 * session. It reads the same {@code {"instances": [...]}} body with the same JSON library, encodes, scores
 * and answers class and probabilities, and does nothing else: no routing framework, no input checks, no
 * request ids, no prediction log, no metrics. The HTTP benchmark runs it in a JVM of its own ({@link #main}).
 */
final class BareNettyServer implements AutoCloseable {

  private static final TypeReference<Map<String, List<Map<String, Object>>>> BODY = new TypeReference<>() {};

  private final EventLoopGroup group;
  private final Channel channel;

  /**
   * The control in a JVM of its own (see {@link ForkedJvm}): the benchmark's model on the port given as the
   * only argument, with one event loop per core, until the process is stopped.
   */
  public static void main(String[] arguments) throws Exception {
    // A JVM of its own: Avro builds the event classes (the model's signature) only once they are trusted.
    io.kloop.schemas.EventCatalog.trustEventClasses();
    BenchModel bench = new BenchModel();
    OnnxClassifier classifier = OnnxClassifier.load(bench.onnx, bench.signature);
    BareNettyServer server = new BareNettyServer(classifier, Runtime.getRuntime().availableProcessors(), Integer.parseInt(arguments[0]));
    System.out.println("Control listening on port " + server.port());
    server.channel.closeFuture().sync();
  }

  BareNettyServer(OnnxClassifier classifier, int threads, int port) throws InterruptedException {
    JsonMapper json = JsonMapper.builder().build();
    List<String> classes = classifier.signature().getOutputClasses();
    group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel socket) {
            socket.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(256 * 1024), new SimpleChannelInboundHandler<FullHttpRequest>() {
              @Override
              protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) throws Exception {
                List<Map<String, Object>> instances = json.readValue((java.io.InputStream) new ByteBufInputStream(request.content()), BODY).get("instances");
                float[][] probabilities = classifier.probabilities(classifier.encoding().encodeAll(instances));
                List<Map<String, Object>> predictions = new ArrayList<>(probabilities.length);
                for (float[] row : probabilities) {
                  Map<String, Object> byClass = new LinkedHashMap<>();
                  int best = 0;
                  for (int c = 0; c < row.length; c++) {
                    byClass.put(classes.get(c), (double) row[c]);
                    best = row[c] > row[best] ? c : best;
                  }
                  predictions.add(Map.of("class", classes.get(best), "probabilities", byClass));
                }
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(json.writeValueAsBytes(Map.of("predictions", predictions))));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
                boolean keepAlive = HttpUtil.isKeepAlive(request);
                if (keepAlive) {
                  context.writeAndFlush(response);
                } else {
                  context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                }
              }
            });
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully().syncUninterruptibly();
  }
}
