package org.yrd.linkage.ingest;
import org.junit.jupiter.api.Test;
import org.yrd.linkage.model.*;
class ScratchTmpTest {
  @Test void t() throws Exception {
    RecordParser p = new RecordParser();
    for (String v : new String[]{"abc\\ud800defgh", "abc\\udbffdefgh"}) {
      byte[] b = ("{\"id\":\"f\\udc00\",\"ts\":1,\"cityCode\":\"320102\",\"fraudType\":\"OTHER\",\"amountCny\":0,\"identifiers\":[{\"type\":\"IM_ACCOUNT\",\"value\":\"" + v + "\"}]}").getBytes("UTF-8");
      FraudReport f = (FraudReport) p.parse(StreamKind.FRAUD, b, b.length);
      System.out.println("SCRATCH " + f.id().length() + " " + f.identifiers()[0]);
    }
  }
}
