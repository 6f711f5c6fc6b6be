package dev.weir.dataplane.pipeline;

/** Names of the handlers in downstream and upstream pipelines, so that code and tests can find them. */
public final class PipelineNames {

  public static final String SNI = "sni";
  public static final String SSL = "ssl";
  public static final String HTTP_CODEC = "http-codec";
  public static final String HEAD_TIMEOUT = "head-timeout";
  public static final String IDLE = "idle";
  public static final String PROXY = "proxy";
  public static final String UPSTREAM_CODEC = "upstream-codec";
  public static final String UPSTREAM_RELAY = "upstream-relay";
  public static final String ADMIN_AGGREGATOR = "admin-aggregator";
  public static final String ADMIN = "admin";

  private PipelineNames() {}
}
