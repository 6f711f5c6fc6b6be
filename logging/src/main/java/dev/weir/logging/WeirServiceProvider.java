package dev.weir.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/** Found by SLF4J through {@code META-INF/services}: Weir's loggers, configured by {@link LogSettings}. */
public final class WeirServiceProvider implements SLF4JServiceProvider {
  private WeirLoggerFactory loggerFactory;
  private IMarkerFactory markerFactory;
  private MDCAdapter mdcAdapter;

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggerFactory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markerFactory;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdcAdapter;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    markerFactory = new BasicMarkerFactory();
    BasicMDCAdapter mdc = new BasicMDCAdapter();
    mdcAdapter = mdc;
    loggerFactory = new WeirLoggerFactory(LogSettings.fromEnvironment(), new LogSink.StdErr(), mdc::getCopyOfContextMap);
  }
}
