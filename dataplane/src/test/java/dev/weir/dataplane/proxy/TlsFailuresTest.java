package dev.weir.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class TlsFailuresTest {
  @Test
  void theCauseChainIsSaidOnceOutermostFirst() {
    CertificateException root = new CertificateException("No subject alternative DNS name matching a.web.svc found.");
    SSLHandshakeException wrapped = new SSLHandshakeException("General OpenSslEngine problem");
    wrapped.initCause(new RuntimeException(root.getMessage(), root));
    assertEquals("General OpenSslEngine problem: No subject alternative DNS name matching a.web.svc found.", TlsFailures.reason(wrapped));
    assertEquals("SSLHandshakeException", TlsFailures.reason(new SSLHandshakeException(null)));
  }
}
