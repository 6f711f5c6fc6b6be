/** Channel pipelines (downstream, upstream), their handler names, and the epoll/NIO transport choice. */
package dev.weir.dataplane.pipeline;
