package org.yrd.linkage.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;

/** A JSON Schema of docs/contracts/ (e.g. alert.schema.json), ready to validate the engine's output against. */
public final class ContractSchema {

    private ContractSchema() {}

    public static JsonSchema of(String name) throws IOException {
        try (InputStream in = Files.newInputStream(Project.contract(name))) {
            ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(in);
            tree.remove("$id"); // a bare file name, which the validator will not take as a base URI
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(tree);
        }
    }
}
