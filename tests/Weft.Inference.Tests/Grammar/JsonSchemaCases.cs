// One schema per supported keyword, with instances it must accept and instances it must refuse.
namespace Weft.Inference.Tests.Grammar;

public static class JsonSchemaCases
{
    public sealed record Case(string Name, string Schema, string[] Valid, string[] Invalid);

    public static readonly Case[] All =
    [
        new("object", """
            {"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer","minimum":0,"maximum":150},
             "vip":{"type":"boolean"}},"required":["name","age"],"additionalProperties":false}
            """,
            ["{\"name\":\"Al\",\"age\":3}", "{ \"name\" : \"\", \"age\" : 150, \"vip\" : true }"],
            ["{\"age\":3}", "{\"name\":\"Al\",\"age\":151}", "{\"name\":\"Al\",\"age\":3,\"x\":1}", "{\"name\":\"Al\",\"age\":-1}", "{\"name\":\"Al\",\"age\":3", "{\"name\":\"Al\",\"age\":3}x"]),
        new("additional-true", """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":true}""",
            ["{\"id\":1,\"other\":[1,{\"a\":null}]}", "{\"id\":2}"],
            ["{\"other\":1}", "{\"id\":\"1\"}", "{\"id\":1,\"id\":\"x\"}"]),
        new("additional-schema", """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"integer"}}""",
            ["{}", "{\"a\":\"x\",\"b\":2,\"ab\":3}", "{\"b\":-5}"],
            ["{\"b\":\"x\"}", "{\"a\":1}", "{\"a\":\"x\",\"a\":2}"]),
        new("any-object", """{"type":"object"}""", ["{}", "{\"k\":[true,false,null,1.5e3,\"s\"]}"], ["[]", "\"x\"", "{\"k\"}"]),
        new("nullable", """{"type":"object","properties":{"a":{"type":["string","null"]},"b":{"type":"integer","nullable":true}},"required":["a","b"],"additionalProperties":false}""",
            ["{\"a\":null,\"b\":3}", "{\"a\":\"s\",\"b\":4}"], ["{\"a\":1,\"b\":4}", "{\"a\":null,\"b\":null}", "{\"a\":null,\"b\":\"4\"}"]),
        new("array-items", """{"type":"array","items":{"type":"integer","minimum":1,"maximum":9},"minItems":2,"maxItems":4}""",
            ["[1,2]", "[ 9 , 9, 9,9 ]"], ["[1]", "[1,2,3,4,5]", "[0,1]", "[]"]),
        new("array-prefix", """{"type":"array","prefixItems":[{"type":"string"},{"type":"boolean"}],"items":false}""",
            ["[\"a\",true]"], ["[\"a\"]", "[\"a\",true,1]", "[true,\"a\"]"]),
        new("array-prefix-more", """{"type":"array","prefixItems":[{"const":"head"}],"items":{"type":"null"},"maxItems":3}""",
            ["[\"head\"]", "[\"head\",null,null]"], ["[\"head\",null,null,null]", "[\"tail\"]"]),
        new("enum", """{"enum":["red","green",3,null,{"x":[1]}]}""", ["\"red\"", "3", "null", "{\"x\":[1]}"], ["\"blue\"", "4", "\"Red\""]),
        new("const", """{"const":{"kind":"fixed","n":1}}""", ["{\"kind\":\"fixed\",\"n\":1}"], ["{\"kind\":\"fixed\",\"n\":2}", "{}"]),
        new("any-of", """{"anyOf":[{"type":"integer","minimum":10},{"type":"string","maxLength":3},{"type":"null"}]}""",
            ["10", "\"abc\"", "null"], ["9", "\"abcd\"", "true"]),
        new("one-of", """{"oneOf":[{"type":"boolean"},{"type":"array","items":{"type":"string"},"maxItems":2}]}""",
            ["true", "[\"a\",\"b\"]", "[]"], ["1", "[1]", "[\"a\",\"b\",\"c\"]"]),
        new("all-of", """
            {"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"$ref":"#/$defs/b"}],
             "$defs":{"b":{"type":"object","properties":{"b":{"type":"boolean"}},"required":["b"]}}}
            """,
            ["{\"a\":1,\"b\":false}"], ["{\"a\":1}", "{\"b\":true}", "{\"a\":1,\"b\":false,\"c\":1}"]),
        new("ref-recursive", """
            {"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
             "kids":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["v"],"additionalProperties":false}}}
            """,
            ["{\"v\":1}", "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[]},{\"v\":3}]}"], ["{\"v\":1,\"kids\":[{}]}", "{\"kids\":[]}"]),
        new("definitions", """
            {"type":"object","properties":{"p":{"$ref":"#/definitions/point"}},"required":["p"],"additionalProperties":false,
             "definitions":{"point":{"type":"array","items":{"type":"number"},"minItems":2,"maxItems":2}}}
            """,
            ["{\"p\":[1.5,-2]}"], ["{\"p\":[1]}", "{\"p\":{}}"]),
        new("string-length", """{"type":"string","minLength":2,"maxLength":5}""", ["\"ab\"", "\"a\\nbcd\"", "\"\u00e9\u00e9\u00e9\""], ["\"a\"", "\"abcdef\"", "\"a\nb\""]),
        new("pattern", """{"type":"string","pattern":"^[A-Z]{2}-\\d{3}(x|y)?$"}""", ["\"AB-123\"", "\"ZZ-000y\""], ["\"AB-12\"", "\"ab-123\"", "\"AB-123z\""]),
        new("pattern-phone", """{"type":"string","pattern":"^(\\+1 )?\\([0-9]{3}\\) [0-9]{3}-[0-9]{4}$"}""", ["\"(555) 123-4567\"", "\"+1 (555) 123-4567\""], ["\"555-1234\""]),
        new("pattern-quote", """{"type":"string","pattern":"^a\"[^b]\\\\.$"}""", ["\"a\\\"c\\\\x\""], ["\"a\\\"b\\\\x\"", "\"a\"c\\x\""]),
        new("integer-range", """{"type":"integer","minimum":-37,"exclusiveMaximum":1234}""", ["-37", "0", "1233", "99"], ["-38", "1234", "1.5", "01"]),
        new("integer-exclusive-min", """{"type":"integer","exclusiveMinimum":5}""", ["6", "123456"], ["5", "-6", "0"]),
        new("number-range", """{"type":"number","minimum":-2.5,"maximum":10}""", ["-2", "10", "9.99", "-0.5", "0"], ["11", "10.5", "-3", "-2.6"]),
        new("number-exclusive", """{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1}""", ["0.5", "0.001"], ["0", "1", "0.0", "1.2"]),
        new("formats", """
            {"type":"object","properties":{"d":{"type":"string","format":"date"},"t":{"type":"string","format":"time"},
             "dt":{"type":"string","format":"date-time"},"u":{"type":"string","format":"uuid"},"e":{"type":"string","format":"email"}},
             "required":["d","t","dt","u","e"],"additionalProperties":false}
            """,
            ["{\"d\":\"2024-02-28\",\"t\":\"23:59:59Z\",\"dt\":\"2024-12-31T01:02:03.5+02:00\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\",\"e\":\"a.b@c.org\"}"],
            ["{\"d\":\"2024-02-30\",\"t\":\"23:59:59Z\",\"dt\":\"2024-12-31T01:02:03Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\",\"e\":\"a@b.c\"}",
             "{\"d\":\"2024-01-01\",\"t\":\"24:00:00Z\",\"dt\":\"2024-12-31T01:02:03Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\",\"e\":\"a@b.c\"}"]),
        new("annotations", """{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","title":"T","description":"D","examples":[true],"default":false,"$comment":"c","type":"boolean"}""",
            ["true", "false"], ["null"]),
    ];
}
