package io.sluice.pool;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Minimal Hrana calls for pool tests: statements on streams, by baton. */
final class HranaCalls {
    private HranaCalls() {
    }

    static Response pipeline(String baton, String... sql) {
        StringBuilder body = new StringBuilder("{\"baton\":").append(baton == null ? "null" : "\"" + baton + "\"").append(",\"requests\":[");
        for (int i = 0; i < sql.length; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append(sql[i].equals("close") ? "{\"type\":\"close\"}"
                    : "{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql[i] + "\"}}");
        }
        return given().contentType("application/json").body(body.append("]}").toString()).post("/v2/pipeline");
    }

    /** Runs statements on a new stream and returns the baton that keeps it (and its connection) open. */
    static String openStream(String... sql) {
        Response r = pipeline(null, sql);
        if (r.statusCode() != 200) {
            throw new AssertionError("opening a stream failed: " + r.statusCode() + " " + r.asString());
        }
        return JsonPath.from(r.asString()).getString("baton");
    }

    static void close(String baton) {
        pipeline(baton, "close");
    }
}
