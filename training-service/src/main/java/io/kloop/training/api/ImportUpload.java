package io.kloop.training.api;

import io.kloop.training.imports.ImportMetadata;
import io.kloop.training.imports.ImportRefusedException;
import io.kloop.training.spec.Texts;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The two parts of an import's {@code multipart/form-data} body, read as they stream in and held in memory within their
 * limits: {@code model}, the ONNX file (at most {@code kloop.training.max-import-size}), and {@code metadata}, JSON (at
 * most {@value ImportMetadata#MAX_BYTES} bytes). Any other part, a part given twice or a missing one is refused (400);
 * a part over its limit is refused as soon as it passes it (413), the rest of the body unread. The model must come as a
 * file part (with a filename, {@code -F model=@file.onnx}): without one, Spring reads it as a form field, joined in
 * memory up to its limit and decoded as text, which would corrupt the file; such a part is refused (400). A part's
 * bytes are kept as they arrive and copied once, into an array of the part's size, when the body has ended.
 */
record ImportUpload(byte[] model, byte[] metadata) {

  static final String MODEL = "model";
  static final String METADATA = "metadata";
  static final List<String> PARTS = List.of(MODEL, METADATA);

  /**
   * A body refused before it was read to its end: the answer closes the connection (the client must not send its next
   * request on it, whose start the server would take for the rest of this body).
   */
  static final class Refused extends RuntimeException {
    private final HttpStatus status;

    Refused(HttpStatus status, String message) {
      super(message);
      this.status = status;
    }

    HttpStatus status() {
      return status;
    }
  }

  /** Reads the parts; fails with {@link ImportRefusedException} (400) or {@link Refused} (400 or 413, body not read to its end). */
  static Mono<ImportUpload> read(Flux<PartEvent> events, long maxModelBytes) {
    return Mono.defer(() -> {
      Collector collector = new Collector(maxModelBytes);
      return events.onErrorMap(DataBufferLimitException.class, e -> new Refused(HttpStatus.BAD_REQUEST, "a part without a filename (a form "
              + "field) is larger than Spring holds in memory (" + e.getMessage() + "); send the ONNX file as a file part: "
              + FILE_PART_HINT + "; the metadata part may have at most " + ImportMetadata.MAX_BYTES + " bytes"))
          .doOnNext(collector::add).then(Mono.fromCallable(collector::upload));
    });
  }

  /** How a client sends the model as a file part. */
  static final String FILE_PART_HINT = "-F model=@file.onnx";

  /** A part's bytes as they arrived, copied once into one array at the end. */
  private static final class Chunks {
    private final List<byte[]> chunks = new ArrayList<>();
    private long size;

    long size() {
      return size;
    }

    void add(byte[] bytes) {
      chunks.add(bytes);
      size += bytes.length;
    }

    byte[] joined() {
      byte[] joined = new byte[Math.toIntExact(size)];
      int at = 0;
      for (byte[] chunk : chunks) {
        System.arraycopy(chunk, 0, joined, at, chunk.length);
        at += chunk.length;
      }
      chunks.clear();
      return joined;
    }
  }

  /** Gathers the parts' bytes; events come one at a time, in order. */
  private static final class Collector {
    private final long maxModelBytes;
    private Chunks model;
    private Chunks metadata;
    private Chunks current;
    private String currentName;
    private boolean partEnded = true;

    Collector(long maxModelBytes) {
      this.maxModelBytes = maxModelBytes;
    }

    void add(PartEvent event) {
      DataBuffer content = event.content();
      try {
        if (partEnded) {
          start(event.name());
          if (MODEL.equals(currentName) && event instanceof FormPartEvent) {
            throw new Refused(HttpStatus.BAD_REQUEST, "the part 'model' came without a filename, as a form field, which is read as text "
                + "and would corrupt the file; send the ONNX file as a file part: " + FILE_PART_HINT);
          }
        }
        long limit = MODEL.equals(currentName) ? maxModelBytes : ImportMetadata.MAX_BYTES;
        int size = content.readableByteCount();
        if (current.size() + (long) size > limit) {
          throw new Refused(HttpStatus.CONTENT_TOO_LARGE, MODEL.equals(currentName)
              ? "the model part is larger than " + limit + " bytes (kloop.training.max-import-size)"
              : "the metadata part is larger than " + limit + " bytes");
        }
        byte[] bytes = new byte[size];
        content.read(bytes);
        current.add(bytes);
        partEnded = event.isLast();
      } finally {
        DataBufferUtils.release(content);
      }
    }

    private void start(String name) {
      if (!PARTS.contains(name)) {
        throw new Refused(HttpStatus.BAD_REQUEST, "unknown part '" + Texts.shown(String.valueOf(name)) + "'; an import has two parts: " + MODEL
            + " (the ONNX file) and " + METADATA + " (JSON)");
      }
      if ((MODEL.equals(name) ? model : metadata) != null) {
        throw new Refused(HttpStatus.BAD_REQUEST, "the part '" + name + "' is given twice; give it once");
      }
      current = new Chunks();
      if (MODEL.equals(name)) {
        model = current;
      } else {
        metadata = current;
      }
      currentName = name;
    }

    ImportUpload upload() {
      if (model == null || metadata == null) {
        throw new ImportRefusedException("the part '" + (model == null ? MODEL : METADATA) + "' is missing; an import has two parts: "
            + MODEL + " (the ONNX file) and " + METADATA + " (JSON, at least {\"dataset\": ...})");
      }
      if (model.size() == 0) {
        throw new ImportRefusedException("the part 'model' is empty; send the ONNX file");
      }
      return new ImportUpload(model.joined(), metadata.joined());
    }
  }
}
