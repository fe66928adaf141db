""" "Listen" in a real browser on a phone: the lesson is read aloud by the phone's own voice in
the lesson's language, sentence by sentence with the sentence highlighted, questions and
choices included; pause, go on, speed and stop work; a phone with no voice for the language
says so and offers the English voice only when asked; without JavaScript there is no control.

The test browser has no voices, so an injected stand-in for ``speechSynthesis`` lists the
voices a phone would have and records what it is asked to say; the test says when a
sentence has finished, as a phone would.
"""

import uuid

import pytest

from tests.browser import PHONE, waits_for_puente
from tests.factories import build_course_tree

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SPEECH_STUB = """
(() => {
  const voices = %s;
  const spoken = [];
  const synth = {
    current: null,
    getVoices() { return voices; },
    addEventListener() {}, removeEventListener() {},
    speak(u) {
      spoken.push({text: u.text, lang: u.lang, rate: u.rate, voice: u.voice && u.voice.name});
      this.current = u;
    },
    cancel() {
      const u = this.current; this.current = null;
      if (u && u.onerror) setTimeout(() => u.onerror({error: "interrupted"}), 0);
    },
    pause() {}, resume() {},
  };
  window.SpeechSynthesisUtterance = function (text) {
    this.text = text; this.lang = ""; this.rate = 1; this.voice = null;
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  window.__spoken = spoken;
  window.__sentenceEnds = () => {
    const u = synth.current; synth.current = null; if (u && u.onend) u.onend({});
  };
})();
"""
VOICES = {
    "es": {"name": "Mónica", "lang": "es-ES"},
    "ar": {"name": "Maged", "lang": "ar-SA"},
    "en": {"name": "Samantha", "lang": "en-US"},
}
PARAGRAPHS = {
    "es": ("El wifi lleva internet a su casa.", "Conéctese con la contraseña del router."),
    "ar": ("الواي فاي يوصل الإنترنت إلى بيتك.", "اتصل باستخدام كلمة مرور الراوتر."),
}


@pytest.fixture
def lessons(db):
    tree = build_course_tree(modules=1, lessons_per_module=2, translate_to=("es", "ar", "zh-hans"))
    urls = {"zh-hans": tree.translation(tree.lessons[1], "zh-hans").get_url()}
    for language, sentences in PARAGRAPHS.items():
        lesson = tree.translation(tree.lessons[1], language)
        paragraph = {
            "type": "text",
            "id": str(uuid.uuid4()),
            "value": f"<p>{' '.join(sentences)}</p>",
        }
        lesson.body = [paragraph, *lesson.body.raw_data]
        lesson.save_revision().publish()
        urls[language] = lesson.get_url()
    return urls


def open_lesson(browser, live_server, url, voices, javascript=True):
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=javascript)
    context.add_init_script(SPEECH_STUB % __import__("json").dumps(voices))
    if javascript:
        waits_for_puente(context)
    page = context.new_page()
    page.goto(live_server.url + url)
    return context, page


def spoken(page) -> list[dict]:
    return page.evaluate("window.__spoken")


def highlighted(page) -> str:
    return page.evaluate(
        "() => { const h = CSS.highlights.get('listen'); return h ? [...h][0].toString() : ''; }"
    )


@pytest.mark.parametrize("language", ["es", "ar"])
def test_listen_reads_the_lesson_sentence_by_sentence(browser, live_server, lessons, language):
    context, page = open_lesson(browser, live_server, lessons[language], [VOICES[language]])
    play = page.locator("[data-listen-play]")
    assert play.is_visible()
    play.click()
    page.wait_for_function("() => window.__spoken.length === 1")
    title = page.locator("article h1").inner_text()
    assert spoken(page)[0] == {
        "text": title,
        "lang": VOICES[language]["lang"],
        "rate": 1,
        "voice": VOICES[language]["name"],
    }
    first, second = PARAGRAPHS[language]
    # Title, summary, then the first paragraph, a sentence at a time, each highlighted.
    for expected in (first, second):
        while spoken(page)[-1]["text"] != expected:
            count = len(spoken(page))
            page.evaluate("window.__sentenceEnds()")
            page.wait_for_function(f"() => window.__spoken.length > {count}")
        assert highlighted(page) == expected
        assert page.locator("[data-listen-current]").inner_text().startswith(first)

    # Pause, then go on: the same sentence again. Slower: the next one is slower.
    assert play.get_attribute("aria-pressed") == "true"
    play.click()
    assert play.get_attribute("aria-pressed") == "false"
    paused_at = len(spoken(page))
    play.click()
    page.wait_for_function(f"() => window.__spoken.length > {paused_at}")
    assert spoken(page)[-1]["text"] == second
    page.select_option("[data-listen-rate]", "0.7")
    page.wait_for_function("() => window.__spoken[window.__spoken.length - 1].rate < 1")

    # The question is read too: its prompt, then each choice.
    for _ in range(30):
        if not page.evaluate("window.speechSynthesis.current"):
            break
        page.evaluate("window.__sentenceEnds()")
    texts = [item["text"] for item in spoken(page)]

    def text_of(selector):  # as written, not as styled (the legend's label is upper-cased)
        return page.locator(selector).evaluate_all(
            "nodes => nodes.map(n => n.textContent.trim().replace(/\\s+/g, ' '))"
        )

    assert text_of("form.block-question legend")[0] in texts
    for choice in text_of("form.block-question .choices label"):
        assert choice in texts
    # Finished: the control is back to "Listen", nothing highlighted.
    assert play.get_attribute("aria-pressed") == "false"
    assert page.locator("[data-listen-current]").count() == 0
    context.close()


def test_a_phone_without_the_voice_says_so_and_offers_english(browser, live_server, lessons):
    context, page = open_lesson(browser, live_server, lessons["ar"], [VOICES["en"]])
    page.locator("[data-listen-play]").click()
    notice = page.locator("[data-listen-no-voice]")
    notice.wait_for(state="visible")
    assert "العربية" in notice.inner_text() or "عربي" in notice.inner_text()
    assert spoken(page) == []  # nothing read until the learner asks for the English voice
    page.locator("[data-listen-english]").click()
    page.wait_for_function("() => window.__spoken.length === 1")
    assert spoken(page)[0]["voice"] == "Samantha"
    assert notice.is_hidden()
    context.close()


def test_without_javascript_there_is_no_listen_control(browser, live_server, lessons):
    context, page = open_lesson(browser, live_server, lessons["es"], [], javascript=False)
    assert page.locator("[data-listen]").count() == 1
    assert page.locator("[data-listen]").is_hidden()
    assert page.locator("[data-listen-play]").is_hidden()
    assert page.locator("[data-listen]").bounding_box() is None  # and no room kept for it
    context.close()


LAYOUT_SHIFTS = """
window.__shifts = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__shifts += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_lesson_does_not_jump_when_listen_appears(browser, live_server, lessons, language):
    """The control appears after the load event (puente.js); its room is kept from the first
    paint, so the lesson's text does not move down under a finger (Lighthouse's layout shift,
    0.07 before)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    context.add_init_script(SPEECH_STUB % __import__("json").dumps([VOICES[language]]))
    context.add_init_script(LAYOUT_SHIFTS)
    page = waits_for_puente(context).new_page()
    page.goto(live_server.url + lessons[language])
    assert page.locator("[data-listen-play]").is_visible()
    page.evaluate(TWO_FRAMES)
    assert page.evaluate("window.__shifts") == 0
    context.close()


def test_a_phone_that_cannot_speak_gets_no_control_and_no_empty_room(browser, live_server, lessons):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    context.add_init_script('Object.defineProperty(window, "speechSynthesis", {value: undefined});')
    page = waits_for_puente(context).new_page()
    page.goto(live_server.url + lessons["es"])
    assert page.locator("[data-listen]").count() == 0
    context.close()


def test_listen_works_offline_once_the_phone_has_seen_a_lesson(browser, live_server, lessons):
    context, page = open_lesson(browser, live_server, lessons["es"], [VOICES["es"]])
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.locator("[data-listen-play]").click()  # its script comes from the phone's cache
    page.wait_for_function("() => window.__spoken.length === 1")
    context.close()


def test_simplified_chinese_is_read_by_a_mainland_voice_not_a_cantonese_one(
    browser, live_server, lessons
):
    voices = [{"name": "Sin-ji", "lang": "zh-HK"}, {"name": "Ting-Ting", "lang": "zh-CN"}]
    context, page = open_lesson(browser, live_server, lessons["zh-hans"], voices)
    page.locator("[data-listen-play]").click()
    page.wait_for_function("() => window.__spoken.length === 1")
    assert spoken(page)[0]["voice"] == "Ting-Ting"
    context.close()
