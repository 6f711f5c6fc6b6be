package dev.weir.local.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MergePatchTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static void assertMerge(String target, String patch, String expected) throws Exception {
    assertEquals(json(expected), MergePatch.merge(json(target), json(patch)));
  }

  private static void assertStrategic(String target, String patch, String expected) throws Exception {
    assertEquals(json(expected), MergePatch.strategic(json(target), json(patch)));
  }

  @Test
  void rfc7386Examples() throws Exception {
    // The test cases of RFC 7386, appendix A.
    assertMerge("{'a':'b'}", "{'a':'c'}", "{'a':'c'}");
    assertMerge("{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}");
    assertMerge("{'a':'b'}", "{'a':null}", "{}");
    assertMerge("{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}");
    assertMerge("{'a':['b']}", "{'a':'c'}", "{'a':'c'}");
    assertMerge("{'a':'c'}", "{'a':['b']}", "{'a':['b']}");
    assertMerge("{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}");
    assertMerge("{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}");
    assertMerge("['a','b']", "['c','d']", "['c','d']");
    assertMerge("{'a':'b'}", "['c']", "['c']");
    assertMerge("{'a':'foo'}", "null", "null");
    assertMerge("{'a':'foo'}", "'bar'", "'bar'");
    assertMerge("{'e':null}", "{'a':1}", "{'e':null,'a':1}");
    assertMerge("[1,2]", "{'a':'b','c':null}", "{'a':'b'}");
    assertMerge("{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}");
  }

  @Test
  void mergeReplacesListsAndDropsDirectives() throws Exception {
    assertMerge("{'spec':{'rules':[{'host':'a'},{'host':'b'}]}}", "{'spec':{'rules':[{'host':'c','$patch':'x'}]}}",
        "{'spec':{'rules':[{'host':'c'}]}}");
  }

  @Test
  void strategicMergesKeyedListsNamedBySetElementOrder() throws Exception {
    assertStrategic(
        "{'kind':'Service','spec':{'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':8443}]}}",
        "{'spec':{'$setElementOrder/ports':[{'port':80},{'port':443}],'ports':[{'port':443,'targetPort':9443}]}}",
        "{'kind':'Service','spec':{'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':9443}]}}");
  }

  @Test
  void strategicDeletesAndReorders() throws Exception {
    assertStrategic(
        "{'kind':'Service','spec':{'ports':[{'port':80},{'port':443}]}}",
        "{'spec':{'$setElementOrder/ports':[{'port':8080},{'port':443}],"
            + "'ports':[{'port':8080,'name':'alt'},{'$patch':'delete','port':80}]}}",
        "{'kind':'Service','spec':{'ports':[{'port':8080,'name':'alt'},{'port':443}]}}");
  }

  @Test
  void strategicUsesKnownKeysWithoutDirectives() throws Exception {
    assertStrategic(
        "{'kind':'Service','spec':{'ports':[{'port':80,'name':'http'},{'port':443,'name':'https'}]}}",
        "{'spec':{'ports':[{'port':443,'name':'tls'}]}}",
        "{'kind':'Service','spec':{'ports':[{'port':80,'name':'http'},{'port':443,'name':'tls'}]}}");
  }

  @Test
  void strategicReplacesListsWithoutAKey() throws Exception {
    assertStrategic(
        "{'kind':'Ingress','spec':{'rules':[{'host':'a'},{'host':'b'}]}}",
        "{'spec':{'rules':[{'host':'c'}]}}",
        "{'kind':'Ingress','spec':{'rules':[{'host':'c'}]}}");
  }

  @Test
  void strategicPrimitiveListDirectives() throws Exception {
    assertStrategic(
        "{'metadata':{'finalizers':['a','b','c']}}",
        "{'metadata':{'$setElementOrder/finalizers':['c','d','a'],'$deleteFromPrimitiveList/finalizers':['b'],"
            + "'finalizers':['d']}}",
        "{'metadata':{'finalizers':['c','d','a']}}");
  }

  @Test
  void strategicPatchReplaceAndDeleteOnMaps() throws Exception {
    assertStrategic("{'spec':{'selector':{'a':'1','b':'2'}}}", "{'spec':{'selector':{'$patch':'replace','c':'3'}}}",
        "{'spec':{'selector':{'c':'3'}}}");
    assertStrategic("{'spec':{'selector':{'a':'1'},'x':1}}", "{'spec':{'selector':{'$patch':'delete'}}}",
        "{'spec':{'x':1}}");
  }

  @Test
  void strategicRetainKeys() throws Exception {
    assertStrategic(
        "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}",
        "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}",
        "{'spec':{'strategy':{'type':'Recreate'}}}");
  }

  @Test
  void strategicNestedContainerLists() throws Exception {
    assertStrategic(
        "{'kind':'Pod','spec':{'containers':[{'name':'a','image':'x','env':[{'name':'E','value':'1'}]},"
            + "{'name':'b','image':'y'}]}}",
        "{'spec':{'containers':[{'name':'a','env':[{'name':'F','value':'2'}]}]}}",
        "{'kind':'Pod','spec':{'containers':[{'name':'a','image':'x','env':[{'name':'E','value':'1'},"
            + "{'name':'F','value':'2'}]},{'name':'b','image':'y'}]}}");
  }
}
