package dev.weir.dataplane.pipeline;

/** Names of the handlers in downstream and upstream pipelines, so that code and tests can find them. */
public final class PipelineNames {

  public static final String SNI = "sni";
  public static final String SSL = "ssl";
  public static final String HTTP_CODEC = "http-codec";
  public static final String HEAD_TIMEOUT = "head-timeout";
  public static final String ALPN = "alpn";
  public static final String H2C_PREFACE = "h2c-preface";
  public static final String H2C_UPGRADE = "h2c-upgrade";
  public static final String H2_CODEC = "h2-codec";
  public static final String H2_MULTIPLEX = "h2-multiplex";
  public static final String H2_CONNECTION = "h2-connection";
  public static final String H2_STREAM_CODEC = "h2-stream-codec";
  public static final String IDLE = "idle";
  public static final String CACHE = "cache";
  public static final String COMPRESSION = "compression";
  public static final String PROXY = "proxy";
  public static final String UPSTREAM_CODEC = "upstream-codec";
  public static final String UPSTREAM_RELAY = "upstream-relay";
  public static final String ADMIN_AGGREGATOR = "admin-aggregator";
  public static final String ADMIN = "admin";

  private PipelineNames() {}
}
