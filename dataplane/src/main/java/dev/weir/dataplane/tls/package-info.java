/**
 * TLS termination: PEM parsing (PKCS#8, PKCS#1, SEC1), server SslContexts (OpenSSL when it loads),
 * and SNI certificate selection from the current snapshot.
 */
package dev.weir.dataplane.tls;
