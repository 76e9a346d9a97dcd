/**
 * The native records as plain Java: the {@code struct utmpx} layout of each architecture and its
 * decoding from raw bytes, and systemd-logind's sessions. No JNA and no I/O here: {@code sys}
 * binds the native APIs and reads the files, then hands over these values; {@code sessions}
 * reads them. Everything here is unit-tested without native code.
 */
package io.github.sshexporter.records;
