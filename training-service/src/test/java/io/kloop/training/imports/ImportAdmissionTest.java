package io.kloop.training.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImportAdmissionTest {

  @Test
  void shouldRefuseAnUploadBeyondTheConcurrentOnesAndTakeOneWhenAnAnswerGivesItsPermitBack() {
    ImportAdmission admission = new ImportAdmission(2, 10);
    ImportAdmission.Ticket first = admission.admit();
    admission.admit();

    assertThatThrownBy(admission::admit).isInstanceOf(ImportAdmission.Full.class).hasMessageContaining("kloop.training.max-concurrent-imports");
    // Refused: it took no pending slot either (2 of 10 taken).
    assertThat(admission.freePending()).isEqualTo(8);

    first.close();
    first.close();
    assertThat(admission.freeUploads()).as("a permit given back once, however often closed").isEqualTo(1);
    assertThat(admission.freePending()).isEqualTo(9);
    admission.admit();
  }

  @Test
  void shouldKeepAHandedOverSlotUntilTheImportEnds() {
    ImportAdmission admission = new ImportAdmission(5, 2);
    ImportAdmission.Ticket accepted = admission.admit();
    Runnable ended = accepted.handOver();
    accepted.close();
    ImportAdmission.Ticket second = admission.admit();
    second.handOver();
    second.close();

    // Both uploads answered, both imports pending: a third is refused before its body is read.
    assertThat(admission.freeUploads()).isEqualTo(5);
    assertThatThrownBy(admission::admit).isInstanceOf(ImportAdmission.Full.class)
        .hasMessageContaining("2 imports are waiting to be judged or being judged already (kloop.training.max-pending-imports)");
    assertThat(admission.freeUploads()).as("the refused one gave its upload permit back").isEqualTo(5);

    ended.run();
    ended.run();
    assertThat(admission.freePending()).isEqualTo(1);
    admission.admit();
  }
}
