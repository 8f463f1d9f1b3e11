"""The one console helper: `[topic] message`, on stderr, nothing on stdout."""
from harness.console import speaker


def test_a_speaker_prints_its_topic_and_the_message_on_stderr_only(capsys):
    speaker("kind")("creating cluster 'pc-1'")
    out, err = capsys.readouterr()
    assert (out, err) == ("", "[kind] creating cluster 'pc-1'\n")
