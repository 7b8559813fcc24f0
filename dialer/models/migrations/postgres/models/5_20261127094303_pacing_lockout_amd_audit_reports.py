from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "campaign_pacing" (
    "campaign_id" BIGSERIAL NOT NULL PRIMARY KEY,
    "theta" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "campaign_pacing" IS 'What the predictive pacer learned about a campaign, kept across restarts and replica';
        CREATE TABLE IF NOT EXISTS "agent_status_changes" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "agent" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_agent_status_agent_at" ON "agent_status_changes" ("agent", "at");
CREATE INDEX IF NOT EXISTS "idx_agent_status_at" ON "agent_status_changes" ("at", "agent", "status", "id");
        ALTER TABLE "campaigns" ADD "drop_lockout_hours" INT NOT NULL DEFAULT 0;
        ALTER TABLE "cdrs" ADD "amd_audit" BOOL NOT NULL DEFAULT False;
        CREATE INDEX IF NOT EXISTS "idx_cdrs_report" ON "cdrs" ("end_at", "id", "campaign_id", "trunk_id", "agent_id", "outcome", "answer_at", "billsec_s", "progress_ms", "sip_status");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_cdrs_report";
        ALTER TABLE "cdrs" DROP COLUMN "amd_audit";
        ALTER TABLE "campaigns" DROP COLUMN "drop_lockout_hours";
        DROP TABLE IF EXISTS "agent_status_changes";
        DROP TABLE IF EXISTS "campaign_pacing";"""


MODELS_STATE = (
    "eJztXVtv3DYa/SvCPHWBaWCP7SRbLBbwLa27Tpy13W3RbiFwJNrDWiMpFBXb7ea/L0ndJZ"
    "IWJ6OxhuaTPRKPLuejyO9K/jVZRj4MklfHYBkDdBtOvnP+moRgCek/nXNTZwLiuDrDDhAw"
    "D3hjL2/Fj4J5QjDwCD1xA4IE0kM+TDyMYoIidpMwDQJ2MPJoQxTeVofSEH1KoUuiW0gWEN"
    "MTv/1OD6PQhw8wKX7Gd+4NgoHfeF7ks3vz4y55jPmxI3R7FpJ3vC274dz1oiBdhlX7+JEs"
    "orAEoJCwo7cwhBgQyO5AcMregD1g/rbFS2UPWzXJnrKG8eENSANSe+O5Wx2buO6Hi2v36v"
    "TadScaHHlRyPilj5pwAm7ZI3z799lsb+/NbGfv9duD/TdvDt7uvKVt+fN2T735kj1MxVZ2"
    "Kc7Z2fdnH67ZA0VUiJl42YEvHAMIyFBcGBX7/G+H/+MFwGL2i/Yt/umLtfkv2FYJoDhQSa"
    "DqeJsQwRI8uAEMb8mC/pzt7Cjo/c/h5fEPh5ff0FZ/a5L8IT81y84xvit+OUEa/BbtDeR3"
    "93UPendfS9llp5rkBighrmj8kPNbg5hIca8uvKvowrvdLkzfM9XqwyXAMtyPYTrthHduHA"
    "XIe+wS/ePVxQfJYNHCtfj2kUec/zmsy28h7wqaGSPsyssk+RTU2f3m/eEvbeKPzy+OODlR"
    "Qm4xvwq/wFFLCDHw2ON06H8XRECiilSQFvM3DGMW5ycXPx2dnzofL0+Pz67Ocv4fc/6zk+"
    "wQPYAI5+Dy9PC8RTH7krwFCMNcDW0SLdX42rCndb8toDpX/2a7+2/23+693i+1vvKIStkr"
    "FLuKWzAHoU9Z8UCs1YdbONuR+3RksBQoHfJxOm9uh+evGZ4xZIShzwJVRM58E2UF8BUCSA"
    "ggqWDYluuBFWIoRXCj9vrAxoyHIePCzcbbJscn9AxBSyjmuYlsd/Ic+qr4Zwu7+oS+oH8R"
    "Bo+5yBXUX5+9P726Pnz/sdH/Tw6vT9mZWXOwz49+0xZTeRHn57PrHxz20/n14sNp+zMp21"
    "3/OmHPBFISuWF07wK/1juLowVrDamnsb+i1JtIK/WxSL3gqCb2/Olr3zoIAvrq7iJKsdaQ"
    "2gGuNLLmHXM0gh7eDefjKHaDyLuLUiJjXWp/iMGbs0J22rzvPK/ZwVz5N3c1dzI7MAfe3T"
    "3Avts5E80iWdvuqeVs2T4CQnDLmWFvxB6uFeH4mFnhihjIx9JOfzoS4lZG/ZPxkMnPC0Ac"
    "soBOpWc6FA+xE0CAQ+g7YE47jQOc4vJT5w7G9ICHoyRx6IhCACaJQ20w+iMOkAcmLTkOcp"
    "P/htSe9r+NPkOcfMcuTsCU3yM3Bx2MkjsH0WsEQXRPoU4I7x02+tBmGC2X9K60VR0xT/1b"
    "SF5Npl8VDSrFoBsWagFtfGg98SHeNbQcCiXCuhL6uBKsArgK8yNX+DI9fyTz5GGMrqM7KM"
    "wSKM8p50YQIzqY02Y2TeCFTgM2TWDYCCCOAi1+i/Ym8rt2zxofutwFSBY6FDdR6yH6eUeS"
    "Bs2v93vQ/HpfSjM71fHQ36AHHYorhO3H1kP8An2FfTzE8CFG9GorSL2JXIPUR+Y33BIhS+"
    "2DhgIAP9P5ZpVvu4m0Uh6blMdiBaY+IqchwY8TkR1YnZ0qLUHWzoW0IYLDG4O/0RtjetYt"
    "smLzn9S2+90aiqM0FPXHr03qJJuUx7aPW418J49EWEezLwHmZX4MEp/kfLlIkLr3BMc5xr"
    "ww8P5BD5b3D6Qks1MdjtkT6TGcI8zrxsMksjen696ulibMQGfAQR+yD+RcH8io1qt+aYAM"
    "pHmQTu1DApAoYf0aPsgyRiqIESyrdJnTX64bakwn17RUZc4vPnxfNG8noLZyTaMUe1pDSI"
    "UwgvChXYkYehH2oe/OBQVHirBDE2Yg1WvT7kZi9p9D0DSP68enKlM/oC0GMPF/mxT59jHt"
    "OzAz5Gs2/1+T6s3q1Zo+AlkPYkiMIowI74MhHYRdQAhcxuzvhF0OPsTU+Eno05UEVd4BJm"
    "z6Zu4iimPIO2zRfyccSt+V//hiPQyj9DBk3UZj0CoBBg5X658ZQEBcztiulqXUQJlnjQ7I"
    "82wlnmeW53483yBM5xDd/JUmykCehzCUArAC0w2QJboX0aywTs86KgDmETzro67LlfWOWw"
    "Ut4Z+aCkYdYx7B608U+lPPz/2nqS7u3X5Dg2JkaDMbRgRqOapKgAnsbtxLNcKKaKN0t7rN"
    "3zK3o4ha8aHE+1p3FTR5nlPcFhKtMqIvLs4bPfvorN11f3p/dEqZ58RXtSjdJUTqbpUm3V"
    "dLEARS/0YdZ9LaLHuzN69L1wb7oXJmXL0/PD/vctp2T3WoVSdHCOA2w2vUmRKZrHTKi+uQ"
    "ZywqHuu6Rjk77vzR9VFC5YXEYXzF8jvyS2x+RZjJP27SkOcVOPMUBQSFySt2239ONv91Db"
    "JODDfolZJ6whmgFtFWaqZDK0poGUeYuH9Ec+266Q50pSFobHxvMFJh6zNedn2GLeA2TeoC"
    "Ra+zgo906WHVWCtffHir7aQNDLOdbIqmJLpieBdhiG7Df8FHLooz+twgFCYI1RIizrd6Jc"
    "DqaDVyYXBfJjDUux99f/rWMPMEHB9eHR+enGYZD+IUlYruBb1IhAU+gqMc+O5flzAAEu2t"
    "RvZhppUbxPeXoRN5Csok+Tw1RtVpPW7d5By0gqeZzcNunfW//ok65bPyX/xVbLrOyEbnqS"
    "NP11Eu6KRa6E61nJMBRuBen8DlnjxyudcJXa5oc6/D3B7bCD20vW3jbBuNs3kL6KfBSjZW"
    "G2u95+Mxqrq2tM37HzrrcHSFnCbk+jfjFbpDlLHuH5NGpprtouHvqUDW37M2f09uBq7B37"
    "OFIujt66m6nq6vZ2gvBveySVwYhQfuCf8F82TZtShfqEfBrkU5rAaDIcGPLqZGk8DElWdZ"
    "tGA2s0JtB6+QWWHjy/LPYjsjjTa+/BKlLosva5SMN9VhwTitG43bQuk/SxjuJPQ+pMs51x"
    "c7Gmx1UqnC+qHnhrzdIPX1Zb1z4kVxt8DearWj1GptWfugjs/sW9CgtwQYSO/6Y490Ik70"
    "wo4VwoSQ2AbMskKH11uxp4kysC8PyrW1tEzRuWWWlobOPaRaecaz8H+M5iK1sjqpVCurTH"
    "7rGn2hSqTNSn624o8bRKck7VVmKoyJU/NBnzV8aSv51HzQWcU3BkRrG5+ivYH87u7M+qzN"
    "wZop1pCYddbnGOO6Bibt9D5/JDChsysBgd5I3QIaUyy84aE6o9EX+luept8Xu10s+z3Zx9"
    "H9KuQ3YJb71bgHngdjRpAW9XWUZX7FXg//gJ4283WUZX415v2U73guTNhXcd/EWfZXZD/0"
    "3AUSrYei5L6Gssx/3YjDVj2RuedV2TwitE3qabgy15HUAzEWZeTLS4lKgAlxk02XEtkgig"
    "2ijIF9s4IoLecRXk3qTaQt1BtPdlpXyjcoRMliJTG3oFbOY5bzAtJvck5H4xUE3cZaSY9N"
    "0qMKfl9yi2MijX/n56c9QuCZ8TJIcmW1Th6m/GZZnDbFckwWsDw6vsryiF+5LuLoFM/ncv"
    "kXn4oW+U2cFcBX+II2nJ45OtoHzn8NkCieJXfiFO2NIHcTTpyRqCqHVDRCHSU7oVROPM8F"
    "rJXNznuh+sfzFi4/rwAG3lKI3o4AT2CiKpy6FcSIUXgDuXecIA2Ki/YG8jtAhdIIs+4MJN"
    "j1FiC8XdVB3b2AgdGJbXdr2SBUv+/N3CCUXTPBNKkLPvbV10wgKC+9b1lCGmsmXCO4jXPs"
    "s6yZ8O8U8nfvGM3ZiekTRvMn1soazdZotkbzeo1mdi8Cb7VSoeoYA62O/T55UPvyNKj9Th"
    "bUMtIqV8ubG0jtMB4JOg1na865dA4JRNuSqHaKFcHtjrH9d4wt+XPvASJuAulTCGZL6VQp"
    "xZsU61vbVpgttpb0YRHttPQT+wxFlYS9er7sWvYz6P8Z3GMQu2nM+q9G52+hbJcXMBtGLg"
    "iTe9pXqWUAHjUZlqAt03bzSi2qt9NlYh1lL1Hq1lG2vY4yzpXAT1ZwqHSTlbJad8rrp9JL"
    "x3NcbLLrVvjNJEaBYq8SseJvtSN2RL6xnpRQxaZ6llOrcZqoe/TROPkkop2GX0eZ9DFtOA"
    "+cT+Xa5NdRlnwt8jtad0sWXUFob2RVBlG3TAgyDXva2smq3vvEW1l1hpc1sFrmcxvKan1A"
    "HdMGYR9x9Bn5YjOoPDdVmUJx3spmDLxQy8dmDAyWMbCIEq0c+6K9DWf3C2d7dDjztHZdqx"
    "CbX5vpeeJ2g6zChKOUaA0aJcDArr3+8kh2eS8WdGzplFhDmGRyrM15AkP2oiI9QxX1r6Fs"
    "fL9/fN96quT92lxPlY2Nmib1NcRGh7R9j32h2csOT5XBP38Dxu5fk+ot6DzCOzdrAh9iSn"
    "5Cb1C+YGUG0zmcPpsLs6S+4guYcBh9VP6Df3O1a1OJhHe5Z0LzPhlU624eWMYA3Yar3bBE"
    "a92z7nvRvGEG1bpbfodp4WZovXGd7oZTKCVelA1OeQ5VdpE5CmjX8txMNcMR+/QSd8l/Ji"
    "h286LUvi+EIVuxSfE21skySidLmor4l9tLRXvrZHnSyeKBIBDGaBRrGVQQE1YF3oCnxUcY"
    "euKIvpzmBsg8otdfch9SZUXLFZu3N4/bYdyFzam8/2jRgJlH9hDre0k21pOzLN9WzzIsYp"
    "halLoMVxDL8NMM1zX9vhTXMeZxvH7dTZLUISe4BFh2n2ZXnjsmJ1iROWY5FhaFA7zKat91"
    "nF3pezwOTkEGZt2doyPiBtDKeMwyrpx+OgKuUAbGLEwSr59iXnbl6oTUmyAbVRftDFt3bv"
    "ektekQt6wKimeaUYK+9TNN1ErMjmyGWXsSCMDBo7uEPgJ63HaBll5ZtUS2PoYOux2cJbdL"
    "LltENY1dD6SJlsHcxlmbrodX4u3Bjk7/zZvbbtvttrUQd39CmyBLqyDDDgQBNS2R7+pm73"
    "eR5o0IAwWPSuIkW/P0Il22PY8BtK9/IKaPRVCYWWH6rIvRlvenecfQi7BPn8BNsWBRBNU2"
    "SC2geWzv7sz68M2aySP//GTLWb/0XUqAaBEKhbe+DjKQ67VnWDDC6C1vkA/zetYm1e+CCM"
    "hq6jvQFuE3DLt9lCsoPrn46ej81Pl4eXp8dnWW1xGVnj1+kh2qagEuTw/Phf2aUM4e9czC"
    "LtBqgl1NsJZ32nfQqEEMrMZa/5jho0S+no0q+y1RrGljR2dR/hsk9xG+Y659LU2vjTOP6y"
    "F0PMDmM1+0Qqhyn8sayjye159GdI/p3KhPdAtmmX6aafoE6VK4nIl8Y9E6xojJUBW2Xdfm"
    "oi1TEaLPK5X9taA2hj7qGDpTx0HqI4GYlTXUDdwGq6jLI3W56tb5bax8ejwllSd0hj+HhI"
    "jXFGo2mD5RZkmZp+pCwBv3K7mcHDrHJ5cO67wOhjdpAn0HJM4SBDcRXkL/O+cOxsS5X9Ae"
    "N3XuEVk4ZAGdbPvtqUMbOSB0gL9EoUMiJ4Hw1aQl2oFuYdc/2tLSPDuDvZAZzAsQz22OtU"
    "I3dZB5WvgwW0szxjhJOkS3cOZxPUhYkr4nfnR1y4ubKPOoHsRdkuj5/yqEEYZlk+CDnT47"
    "v9FWUor5uVY6aeQLdiSTG+9FeyP43YThPhYrIy+oPadfCJyIrIxGA7WVURTnBqztMy5iqi"
    "wuVmnz6vJiq9avqNZH96FeukgJMGI4aYVqZm/7xGpmb+XBGnaulU79ECPMtoLUL5xpIK3Z"
    "NDqzaSQTBV9V/Ipngh6zRGbhZNFtpJwwsgLXLL3U9Thgw6uBlWuu91vIqvHA2Q+gWgGqvX"
    "pWdqvinlVeLZ1utO9uV57aunlQssL/ExXghs6Dg9R/C5PbVVuCSzLbTSB4gIw9/bprq1VY"
    "rUKlVUCMvIVQlcjOqPWHqs1oNst4KVPpV2ZNyifJzxAnmul9NYiB4/ggvmr2UekoIvHqQZ"
    "dxs7vby3u6q/Ce7na9p3kApcuwajeMEmK3w9DcDuNZJ7Mv/wfZnXGi"
)
