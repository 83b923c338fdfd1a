package io.kloop.training.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import reactor.core.publisher.Flux;

/** The parts of an import's body, as Spring's part events deliver them. */
class ImportUploadTest {

  private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void shouldJoinAFilePartsChunksInOrderIntoOneArrayOfItsSize() {
    byte[] first = {1, 2, 3};
    byte[] second = {4, 5};
    Flux<FilePartEvent> file = FilePartEvent.create("model", "m.onnx", org.springframework.http.MediaType.APPLICATION_OCTET_STREAM,
        Flux.just(BUFFERS.wrap(first), BUFFERS.wrap(second)));

    ImportUpload upload = ImportUpload.read(Flux.<PartEvent>concat(file, FormPartEvent.create("metadata", "{\"dataset\": \"d\"}")), 1024)
        .block(WAIT);

    assertThat(upload.model()).containsExactly(1, 2, 3, 4, 5);
    assertThat(new String(upload.metadata(), StandardCharsets.UTF_8)).isEqualTo("{\"dataset\": \"d\"}");
  }

  @Test
  void shouldRefuseAModelSentAsAFormFieldSayingHowToSendAFile() {
    Flux<PartEvent> events = Flux.<PartEvent>concat(FormPartEvent.create("model", "\u0008\u0003binary read as text"),
        FormPartEvent.create("metadata", "{\"dataset\": \"d\"}"));

    assertThatThrownBy(() -> ImportUpload.read(events, 1024).block(WAIT)).isInstanceOfSatisfying(ImportUpload.Refused.class,
        refused -> assertThat(refused.status()).isEqualTo(HttpStatus.BAD_REQUEST))
        .hasMessage("the part 'model' came without a filename, as a form field, which is read as text and would corrupt the file; send the "
            + "ONNX file as a file part: -F model=@file.onnx");
  }

  @Test
  void shouldRefuseAFormFieldOverSpringsInMemoryLimitAsABadRequestNamingTheFilePart() {
    // What Spring's reader does with a form field over its maxInMemorySize (256 KB): it fails the stream.
    Flux<PartEvent> events = Flux.error(new DataBufferLimitException("Form field value exceeded the memory usage limit of 262144 bytes"));

    assertThatThrownBy(() -> ImportUpload.read(events, 1024).block(WAIT)).isInstanceOfSatisfying(ImportUpload.Refused.class,
        refused -> assertThat(refused.status()).isEqualTo(HttpStatus.BAD_REQUEST)).hasMessageContaining("-F model=@file.onnx");
  }
}
