package dev.weir.dataplane.balance;

import java.net.InetSocketAddress;

/**
 * 64-bit hashing for keys and ring positions: FNV-1a over the input, then murmur3's fmix64
 * finaliser so that every input bit reaches every output bit. Not cryptographic; stable across
 * JVMs and releases (the ring and table positions depend on it). Never returns
 * {@link EndpointPicker#NO_HASH}.
 */
final class Hashing {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Hashing() {}

  static long hash(CharSequence s) {
    long h = FNV_OFFSET;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      h = (h ^ (c & 0xff)) * FNV_PRIME;
      h = (h ^ (c >>> 8)) * FNV_PRIME;
    }
    return finish(h ^ s.length());
  }

  static long hash(byte[] b) {
    long h = FNV_OFFSET;
    for (byte x : b) {
      h = (h ^ (x & 0xff)) * FNV_PRIME;
    }
    return finish(h ^ b.length);
  }

  /** A hash of {@code s} and {@code n}, as if of {@code s + "#" + n}, without building the string. */
  static long hash(CharSequence s, int n) {
    long h = FNV_OFFSET;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ (s.charAt(i) & 0xffff)) * FNV_PRIME;
    }
    h = (h ^ '#') * FNV_PRIME;
    h = (h ^ (n & 0xffffffffL)) * FNV_PRIME;
    return finish(h);
  }

  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  private static long finish(long h) {
    long k = fmix64(h);
    return k == EndpointPicker.NO_HASH ? k + 1 : k;
  }

  /** The stable name of an endpoint that ring and table positions are derived from: {@code ip:port}. */
  static String key(InetSocketAddress a) {
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return host + ":" + a.getPort();
  }
}
