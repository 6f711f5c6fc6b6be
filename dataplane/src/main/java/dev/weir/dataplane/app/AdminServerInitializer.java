package dev.weir.dataplane.app;

import dev.weir.dataplane.pipeline.PipelineNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/** Admin connection pipeline: requests are tiny, so they are aggregated. */
@ChannelHandler.Sharable
final class AdminServerInitializer extends ChannelInitializer<Channel> {

  private final AdminHandler handler;

  AdminServerInitializer(AdminHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void initChannel(Channel ch) {
    ch.pipeline()
        .addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec())
        .addLast(PipelineNames.ADMIN_AGGREGATOR, new HttpObjectAggregator(64 * 1024))
        .addLast(PipelineNames.ADMIN, handler);
  }
}
