package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A badge's SVG as a viewer sees it: parsed by the JDK's namespace-aware XML parser (so a badge
 * that is not well-formed XML fails here), then read back as label, message and colour.
 */
record BadgeSvg(String title, String ariaLabel, List<String> texts, String messageFill, int width) {

    static final String SVG_NS = "http://www.w3.org/2000/svg";

    static BadgeSvg parse(String body) {
        Document document;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            document = factory.newDocumentBuilder()
                    .parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + body, e);
        }
        Element svg = document.getDocumentElement();
        assertEquals(SVG_NS, svg.getNamespaceURI(), body);
        assertEquals("svg", svg.getLocalName(), body);
        assertEquals("img", svg.getAttribute("role"), body);
        NodeList titles = svg.getElementsByTagNameNS(SVG_NS, "title");
        assertEquals(1, titles.getLength(), body);
        List<String> texts = new ArrayList<>();
        NodeList textNodes = svg.getElementsByTagNameNS(SVG_NS, "text");
        for (int i = 0; i < textNodes.getLength(); i++) {
            Element text = (Element) textNodes.item(i);
            if (!text.getAttribute("aria-hidden").equals("true")) { // the shadow repeats the text
                texts.add(text.getTextContent());
                assertTrue(Double.parseDouble(text.getAttribute("textLength")) > 0, body);
            }
        }
        NodeList rects = svg.getElementsByTagNameNS(SVG_NS, "rect");
        // clip shape, label, message, gradient overlay
        assertEquals(4, rects.getLength(), body);
        return new BadgeSvg(titles.item(0).getTextContent(), svg.getAttribute("aria-label"), texts,
                ((Element) rects.item(2)).getAttribute("fill"), Integer.parseInt(svg.getAttribute("width")));
    }

    /** Checks the label, the message and the colour a person sees, and that the title says the same. */
    BadgeSvg assertShows(String label, String message, String color) {
        assertEquals(List.of(label, message), texts, "texts of the badge");
        assertEquals(label + ": " + message, title, "title");
        assertEquals(title, ariaLabel, "aria-label");
        assertEquals(color, messageFill, "colour of " + message);
        return this;
    }
}
