"""The layer's proof, run in the Lambda runtime image: the pinned WeasyPrint renders Vietnamese
in Liberation Serif from /opt/fonts through the layer's Pango. Usage: smoke.py VERSION"""

import sys

import weasyprint

expected = sys.argv[1]
assert weasyprint.__version__ == expected, f"weasyprint {weasyprint.__version__}, requirements say {expected}"
html = ('<html lang="vi"><body style="font-family: \'Liberation Serif\'; font-size: 14pt">'
        "<h1>BÁO CÁO TỔNG HỢP</h1><p>Cộng hòa xã hội chủ nghĩa Việt Nam — Độc lập - Tự do - Hạnh phúc</p>"
        '<p style="font-family: sans-serif">15.000 lượt công dân được đưa đón</p></body></html>')
pdf = weasyprint.HTML(string=html).write_pdf(uncompressed_pdf=True)  # font names readable in the bytes
assert pdf.startswith(b"%PDF") and b"+Liberation-Serif" in pdf and b"+DejaVu-Sans" in pdf, "fonts not embedded"
print(f"weasyprint {weasyprint.__version__}: {len(pdf)} bytes, Liberation Serif and DejaVu Sans embedded")
