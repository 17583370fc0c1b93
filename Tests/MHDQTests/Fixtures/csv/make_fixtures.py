#!/usr/bin/env python3
"""Writes the CSV reader fixtures byte for byte (CRLF, CR, BOM, Windows-1252, binary).

Run from anywhere: python3 Tests/MHDQTests/Fixtures/csv/make_fixtures.py
The expected records live in Tests/MHDQTests/Ingest/CSVReaderTests.swift as Swift literals.
The csv-spectrum cases are rewritten here because a shared copy lost its CRLF line ends.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

FIXTURES = {
    # csv-spectrum (https://github.com/max-mapper/csv-spectrum), rewritten with the intended bytes.
    "comma_in_quotes.csv": b'first,last,address,city,zip\r\nJohn,Doe,120 any st.,"Anytown, WW",08123\r\n',
    "empty.csv": b'a,b,c\n1,"",""\n2,3,4\n',
    "empty_crlf.csv": b'a,b,c\r\n1,"",""\r\n2,3,4\r\n',
    "escaped_quotes.csv": b'a,b\n1,"ha ""ha"" ha"\n3,4\n',
    "json.csv": b'key,val\n1,"{""type"": ""Point"", ""coordinates"": [102.0, 0.5]}"\n',
    "location_coordinates.csv": (
        'Contact Phone Number,Location Coordinates,Cities,Counties\n'
        '2095257564,37\u00b036\'37.8"N 121\u00b02\'17.9"W,Modesto,Stanislaus\n'
    ).encode("utf-8"),
    "newlines.csv": b'a,b,c\n1,2,3\n"Once upon \na time",5,6\n7,8,9\n',
    "newlines_crlf.csv": b'a,b,c\r\n1,2,3\r\n"Once upon \r\na time",5,6\r\n7,8,9\r\n',
    "quotes_and_newlines.csv": b'a,b\n1,"ha \n""ha"" \nha"\n3,4\n',
    "simple.csv": b'a,b,c\n1,2,3\n',
    "simple_crlf.csv": b'a,b,c\r\n1,2,3\r\n',
    "utf8.csv": 'a,b,c\n1,2,3\n4,5,\u02a4'.encode("utf-8"),  # no final line end

    # Line ends and blank lines.
    "cr_only.csv": b'a,b\r1,2\r3,4\r',
    "mixed_line_ends.csv": b'a,b\r\n1,2\n3,4\r5,6',
    "blank_lines.csv": b'a,b\n\n1,2\r\n\r\n\n3,4\n\n',
    "quote_in_unquoted.csv": b'name,height,note\nO"Brien,5\'10",a "quoted" word\n"x"y,z,\n',
    # Record row numbers after multi-line fields, doubled quotes next to line breaks.
    "multiline_rows.csv": (
        b'id,text,n\r\n'
        b'1,"line one\r\nline two\r\nline three",x\r\n'
        b'2,"""quoted""\r\n""again""",y\r\n'
        b'3,"cr\rinside\nlf",z\r\n'
        b'4,"",""\r\n'
    ),

    # Encodings.
    "bom_utf8.csv": b'\xef\xbb\xbfLocalPatientID,Postcode\r\nP1,LS1 4AP\r\n',
    "windows1252.csv": b'Item,Text\r\nprice,\xa32.50\r\nrange,10\x9620\r\ncafe,Caf\xe9\r\nname,O\x92Brien\r\n',
    "utf16le_bom.csv": b'\xff\xfe' + 'a,b\r\n1,2\r\n'.encode("utf-16-le"),

    # Delimiters.
    "tab.tsv": b'LocalPatientID\tPostcode\tEthnicCategory\nP1\tLS1 4AP\tA\n',
    "pipe.txt": b'LocalPatientID|Postcode|EthnicCategory\nP1|LS1 4AP|A\n',
    "semicolon.csv": b'LocalPatientID;Postcode;Note\nP1;LS1 4AP;"1,5"\n',
    "quoted_header_delims.csv": b'"a,b,c";"d|e";"f\tg"\n1;2;3\n',

    # Hostile and bad input.
    "nul_bytes.csv": b'a,b\n1,2\n\x00\x01\x02\x03garbage\xff\xfe\x00\n',
    "nul_in_quotes.csv": b'a,b\n1,"x\x00y"\n',
    "unterminated_quote.csv": b'a,b\n1,2\n3,"never closed\n4,5\n6,7\n',
    "zip_as_csv.csv": b'PK\x03\x04\x14\x00\x06\x00\x08\x00' + bytes(range(32)),
    "ole_as_csv.csv": b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + b'\x00' * 32,
    "empty_file.csv": b'',
}


def main():
    for name, data in sorted(FIXTURES.items()):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(FIXTURES)} fixtures to {HERE}")


if __name__ == "__main__":
    main()
