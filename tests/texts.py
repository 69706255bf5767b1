"""Texts for tests that need many different stories: real words of a language in a random order.
Every call gives a text of its own, far from every other (and from the seeds), so no two of them
are near duplicates, while language identification still sees the language."""

import random

EN_WORDS = (
    "minister council budget river harbour railway school hospital farmer market festival museum "
    "election court police weather storm bridge factory export import village province engineer "
    "teacher student nurse doctor library airport highway energy solar wind coal price wage tax "
    "treaty summit delegation border fishing rice coffee tourism heritage temple flood drought "
    "vaccine research university software startup bank loan investor stadium football athlete"
).split()
VI_WORDS = (
    "bộ_trưởng hội_đồng ngân_sách sông cảng đường_sắt trường bệnh_viện nông_dân chợ lễ_hội bảo_tàng "
    "bầu_cử tòa_án công_an thời_tiết bão cầu nhà_máy xuất_khẩu nhập_khẩu làng tỉnh kỹ_sư giáo_viên "
    "học_sinh y_tá bác_sĩ thư_viện sân_bay đường_cao_tốc năng_lượng mặt_trời gió than giá lương thuế "
    "hiệp_định hội_nghị đoàn biên_giới đánh_cá lúa cà_phê du_lịch di_sản chùa lũ hạn_hán vắc_xin"
).split()
RU_WORDS = (
    "министр совет бюджет река порт железная дорога школа больница фермер рынок фестиваль музей "
    "выборы суд полиция погода шторм мост завод экспорт импорт деревня провинция инженер учитель"
).split()
RNG = random.Random()  # unseeded: each run's texts are new to a database that outlived a run


def prose(words: list[str], sentences: int = 6) -> str:
    """Real words in a random order: each story is its own text, far from every other one, so
    that none of them is a near duplicate of another."""
    return " ".join(
        " ".join(RNG.choice(words) for _ in range(12)).replace("_", " ").capitalize() + "."
        for _ in range(sentences)
    )


