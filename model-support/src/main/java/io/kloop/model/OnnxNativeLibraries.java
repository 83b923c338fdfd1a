package io.kloop.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives ONNX Runtime its native libraries from one directory per version, instead of letting it unpack
 * them into a fresh {@code onnxruntime-java*} temporary directory in every JVM (a directory it cannot
 * delete when the JVM exits, so each run left one behind). The libraries are copied from the onnxruntime
 * jar into {@code ~/.cache/kloop/onnxruntime-<version>-<os>} (the user's own directory, not the shared
 * temporary one, so nobody else can plant a library there), replaced whenever their bytes differ from
 * the jar's, and {@code onnxruntime.native.path} points there. A value already set is left alone.
 */
final class OnnxNativeLibraries {

  static final String NATIVE_PATH = "onnxruntime.native.path";
  private static final Logger log = LoggerFactory.getLogger(OnnxNativeLibraries.class);
  private static final List<String> LIBRARIES = List.of("onnxruntime_providers_shared", "onnxruntime", "onnxruntime4j_jni");
  private static boolean prepared;

  private OnnxNativeLibraries() {}

  /** Call before the first use of any {@code ai.onnxruntime} class that loads the runtime. */
  static synchronized void prepare() {
    if (prepared || System.getProperty(NATIVE_PATH) != null) {
      prepared = true;
      return;
    }
    prepared = true;
    String platform = platform();
    if (platform == null) {
      return;
    }
    String version = String.valueOf(ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion());
    Path directory = Path.of(System.getProperty("user.home"), ".cache", "kloop", "onnxruntime-" + version + "-" + platform);
    try {
      Files.createDirectories(directory);
      boolean any = false;
      for (String library : LIBRARIES) {
        String file = System.mapLibraryName(library).replace("jnilib", "dylib");
        byte[] bytes;
        try (InputStream in = OnnxNativeLibraries.class.getResourceAsStream("/ai/onnxruntime/native/" + platform + "/" + file)) {
          if (in == null) {
            continue;
          }
          bytes = in.readAllBytes();
        }
        any = true;
        Path target = directory.resolve(file);
        if (!Files.exists(target) || Files.size(target) != bytes.length || !Arrays.equals(Files.readAllBytes(target), bytes)) {
          Path partial = Files.createTempFile(directory, file, ".partial");
          Files.write(partial, bytes);
          Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      if (any) {
        System.setProperty(NATIVE_PATH, directory.toString());
        log.debug("ONNX Runtime {} loads its native libraries from {}", version, directory);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Could not prepare ONNX Runtime's native libraries in {} ({}); it will unpack them itself", directory, e.toString());
    }
  }

  /** The resource folder name ONNX Runtime uses for this machine, or null when unknown. */
  private static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osName = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : os.contains("nux") ? "linux" : null;
    String archName = arch.startsWith("amd64") || arch.startsWith("x86_64") ? "x64" : arch.startsWith("aarch64") ? "aarch64" : null;
    return osName == null || archName == null ? null : osName + "-" + archName;
  }
}
