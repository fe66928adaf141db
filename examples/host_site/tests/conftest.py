import pytest
from wagtail.models import Site

from guides.models import GuidePage, TopicPage, UnitPage


@pytest.fixture
def guides(db) -> dict:
    """A topic with one unit of two guides, under the site's home page, in English."""
    home = Site.objects.get(is_default_site=True).root_page
    topic = home.add_child(
        instance=TopicPage(title="Our neighborhood", slug="neighborhood", summary="Places.")
    )
    unit = topic.add_child(
        instance=UnitPage(title="The library", slug="library", summary="Borrow and print.")
    )
    card = unit.add_child(
        instance=GuidePage(
            title="Get a library card", slug="card", body="<p>Bring a letter.</p>", minutes=4
        )
    )
    printing = unit.add_child(
        instance=GuidePage(title="Print a form", slug="print", body="<p>Ask at the desk.</p>")
    )
    return {"topic": topic, "unit": unit, "card": card, "print": printing}
